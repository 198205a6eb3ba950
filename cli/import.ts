import { createReadStream, createWriteStream, statSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { SingleBar } from 'cli-progress';
import { type CsvError, parse } from 'csv-parse';

/**
 * `tend import <file.csv>`: streams the file (never holding it in memory), sends rows in
 * numbered batches with at most two in flight, shows progress, and writes every refused row to
 * an error report. A batch that fails to send is retried: the server counts each batch once.
 */
export interface ImportOptions {
  base: string;
  token: string;
  mode: 'merge' | 'replace';
  dryRun: boolean;
  /** Where the error report goes; default `<file>.errors.csv` when there are errors. */
  errorsFile?: string;
  batchSize: number;
  quiet: boolean;
}

interface RowError {
  row: number;
  message: string;
  values?: Record<string, string>;
}

const csvCell = (value: string) => (/[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

async function post(options: ImportOptions, route: string, body: unknown): Promise<Record<string, unknown>> {
  for (let attempt = 1; ; attempt++) {
    let status = 0;
    let json: Record<string, unknown> = {};
    try {
      const res = await fetch(new URL(route, options.base), {
        method: 'POST',
        headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      status = res.status;
      json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
      if (res.ok) return json;
    } catch (error) {
      if (attempt >= 4) throw new Error(`cannot reach ${options.base}: ${String(error)}`);
    }
    // Refusals (4xx) will not change on retry; server errors and network failures might.
    if ((status >= 400 && status < 500) || attempt >= 4) {
      const error = json.error as { message?: string } | undefined;
      throw new Error(`${status} ${error?.message ?? 'request failed'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
  }
}

export async function importFile(file: string, options: ImportOptions): Promise<number> {
  const size = statSync(file).size;
  const started = (await post(options, '/api/imports', {
    mode: options.mode,
    dryRun: options.dryRun,
    fileName: path.basename(file),
  })) as { import: { importId: string } };
  const importId = started.import.importId;

  let report: WriteStream | undefined;
  let reportHeaders: string[] = [];
  const reportPath = options.errorsFile ?? `${file}.errors.csv`;
  const writeErrors = (errors: RowError[]) => {
    if (errors.length === 0) return;
    if (!report) {
      report = createWriteStream(reportPath);
      reportHeaders = Object.keys(errors[0]?.values ?? {});
      report.write(`${['row', 'error', ...reportHeaders].map(csvCell).join(',')}\n`);
    }
    for (const e of errors) {
      report.write(
        `${[String(e.row), e.message, ...reportHeaders.map((h) => e.values?.[h] ?? '')].map(csvCell).join(',')}\n`,
      );
    }
  };

  const input = createReadStream(file);
  const parser = input.pipe(
    parse({
      columns: (header: string[]) => header.map((h) => h.trim()),
      bom: true,
      skip_empty_lines: true,
      trim: false,
      info: true,
      skip_records_with_error: true,
    }),
  );
  let parseErrors = 0;
  parser.on('skip', (error: CsvError) => {
    parseErrors += 1;
    writeErrors([
      { row: Number((error as CsvError & { lines?: number }).lines ?? 0), message: `unreadable CSV: ${error.message}` },
    ]);
  });

  const interactive = process.stderr.isTTY && !options.quiet;
  const bar = interactive
    ? new SingleBar({
        format: 'importing [{bar}] {percentage}% | {rows} rows | {failed} refused | ETA {eta_formatted}',
        hideCursor: true,
        stream: process.stderr,
      })
    : undefined;
  bar?.start(size, 0, { rows: 0, failed: 0 });
  let lastDecile = -1;

  const totals = { rows: 0, created: 0, updated: 0, unchanged: 0, failed: 0, conflicts: 0 };
  const inFlight = new Set<Promise<void>>();
  const send = (rows: Record<string, string>[], rowNumbers: number[]) => {
    const task = (async () => {
      const out = (await post(options, `/api/imports/${importId}/rows`, {
        firstRow: rowNumbers[0],
        rows,
        rowNumbers,
      })) as { counts: typeof totals; errors: RowError[] };
      for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += out.counts[key];
      writeErrors(out.errors);
      const done = Math.min(size, input.bytesRead);
      bar?.update(done, { rows: totals.rows, failed: totals.failed + parseErrors });
      const decile = Math.floor((done / Math.max(1, size)) * 10);
      if (!interactive && !options.quiet && decile > lastDecile) {
        lastDecile = decile;
        console.error(`importing: ${decile * 10}% (${totals.rows} rows, ${totals.failed + parseErrors} refused)`);
      }
    })();
    inFlight.add(task);
    task.finally(() => inFlight.delete(task)).catch(() => {});
    return task;
  };

  let rows: Record<string, string>[] = [];
  let rowNumbers: number[] = [];
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: Record<string, string>;
      info: { lines: number };
    }>) {
      rows.push(record);
      rowNumbers.push(info.lines);
      if (rows.length >= options.batchSize) {
        send(rows, rowNumbers);
        rows = [];
        rowNumbers = [];
        // Backpressure: at most two batches in flight keeps memory flat whatever the file size.
        while (inFlight.size >= 2) await Promise.race(inFlight);
      }
    }
    if (rows.length) send(rows, rowNumbers);
    await Promise.all(inFlight);
  } finally {
    bar?.stop();
  }

  const finished = (await post(options, `/api/imports/${importId}/complete`, {})) as {
    import: { counts: typeof totals };
  };
  if (report) await new Promise((resolve) => report?.end(resolve));
  const c = finished.import.counts;
  const verb = options.dryRun ? 'would be' : 'were';
  console.log(
    `${options.dryRun ? 'Dry run of' : 'Imported'} ${path.basename(file)} (${importId}, ${options.mode}): ${c.rows + parseErrors} rows; ` +
      `${c.created} ${verb} created, ${c.updated} ${verb} updated, ${c.unchanged} unchanged, ` +
      `${c.failed + parseErrors} refused, ${c.conflicts} identity conflicts recorded.`,
  );
  if (report) console.log(`Refused rows and why: ${reportPath}`);
  return c.failed + parseErrors > 0 ? 1 : 0;
}
