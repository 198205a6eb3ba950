/**
 * `npm run bench:import [-- --rows 100000]`: the `tend import` CLI against the local stack.
 * Starts the stack in this process (in-memory DynamoDB Local, a temp data dir, free ports),
 * writes deterministic CSVs (the full size and a small one, ~0.5 % rows with an invalid email),
 * then runs the real CLI as a child process for each: a `--dry-run` (parse + validate, nothing
 * written) and a real merge import. Samples the CLI's peak RSS (VmHWM, every 100 ms), this
 * process's RSS (the whole stack but the JVM, every 250 ms) and DynamoDB Local's RSS, and checks
 * the import's counts through GET /api/imports/{id} and the error report's line count. Prints a
 * markdown table and writes bench/results/import-latest.{json,md}.
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEFAULT_ADMIN_TOKEN,
  DEFAULT_DEMO_SOURCE_SECRET,
  type LocalStack,
  startLocalStack,
} from '../infra/local/stack.ts';
import { round } from './stats.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const RESULTS_DIR = path.join(ROOT, 'bench/results');

const HELP = `Usage: npm run bench:import [-- options]

  --rows N        rows in the large file (default 100000)
  --small N       rows in the small file, to show the CLI's memory is flat (default 10000)
  --bad-every N   one row in N has an invalid email (default 200, i.e. 0.5 %)
  --batch N       the CLI's --batch (default: the CLI's own, 500)
  --skip-small    only the large file`;

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    small: { type: 'string', default: '10000' },
    'bad-every': { type: 'string', default: '200' },
    batch: { type: 'string' },
    'skip-small': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  console.log(HELP);
  process.exit(0);
}
const rows = Math.round(Number(args.rows));
const smallRows = Math.round(Number(args.small));
const badEvery = Math.round(Number(args['bad-every']));
if (!(rows > 0 && smallRows > 0 && badEvery > 1)) throw new Error('--rows, --small and --bad-every must be positive');

const say = (line: string) => process.stdout.write(`${line}\n`);
const mb = (bytes: number) => round(bytes / 1024 ** 2, 1);

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Tim'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Perlman'];
const PLANS = ['free', 'starter', 'pro', 'enterprise'];
const CITIES = ['Lisbon', 'Berlin', 'Nairobi', 'Osaka', 'Lima', 'Toronto', 'Oslo', 'Austin', 'Pune', 'Lyon'];
const SIGNUP = ['organic', 'ads', 'referral', 'partner', 'event'];

/** Writes `n` deterministic rows; row i (1-based) is bad when i % badEvery === 7 % badEvery. */
async function writeCsv(file: string, n: number, tag: string, area: number): Promise<{ bad: number; bytes: number }> {
  const out = createWriteStream(file);
  const write = (chunk: string) =>
    out.write(chunk) ? Promise.resolve() : new Promise<void>((resolve) => out.once('drain', () => resolve()));
  await write('email,first_name,last_name,phone,plan,city,signup_source\n');
  let bad = 0;
  let chunk = '';
  for (let i = 1; i <= n; i++) {
    const isBad = i % badEvery === 7 % badEvery;
    if (isBad) bad += 1;
    const email = isBad ? `not-an-email-${tag}-${i}` : `imp-${tag}-${i}@example.com`;
    const phone = `+1${area}${String(i).padStart(7, '0')}`;
    chunk +=
      `${email},${FIRST[i % FIRST.length]},${LAST[(i * 7) % LAST.length]},${phone},` +
      `${PLANS[i % PLANS.length]},${CITIES[(i * 3) % CITIES.length]},${SIGNUP[i % SIGNUP.length]}\n`;
    if (chunk.length > 64 * 1024) {
      await write(chunk);
      chunk = '';
    }
  }
  if (chunk) await write(chunk);
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return { bad, bytes: statSync(file).size };
}

const kbField = (status: string, name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);

/** Peak resident memory of another process so far (VmHWM), in bytes; undefined once gone. */
function peakRss(pid: number): number | undefined {
  try {
    const kb = kbField(readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmHWM');
    return Number.isFinite(kb) ? kb * 1024 : undefined;
  } catch {
    return undefined;
  }
}
function currentRss(pid: number): number | undefined {
  try {
    const kb = kbField(readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmRSS');
    return Number.isFinite(kb) ? kb * 1024 : undefined;
  } catch {
    return undefined;
  }
}

interface CliRun {
  label: string;
  rows: number;
  bad: number;
  fileMb: number;
  dryRun: boolean;
  exitCode: number | null;
  wallSeconds: number;
  rowsPerSecond: number;
  cliPeakRssMb: number;
  serverPeakRssMb: number;
  serverRssAtStartMb: number;
  dynamoDbLocalPeakRssMb?: number;
  importId?: string;
  summary: string;
  counts?: Record<string, number>;
  status?: string;
  errorReportLines?: number;
  checks: { name: string; ok: boolean; detail: string }[];
}

async function runCli(
  label: string,
  file: string,
  meta: { rows: number; bad: number; bytes: number },
  dryRun: boolean,
  apiUrl: string,
  javaPid: number | undefined,
): Promise<CliRun> {
  const errorsFile = `${file}.${dryRun ? 'dry' : 'real'}.errors.csv`;
  const cliArgs = [
    path.join(ROOT, 'bin/tend.js'),
    'import',
    file,
    '--api',
    apiUrl,
    '--token',
    DEFAULT_ADMIN_TOKEN,
    '--quiet',
    '--errors',
    errorsFile,
    ...(dryRun ? ['--dry-run'] : []),
    ...(args.batch ? ['--batch', args.batch] : []),
  ];
  say(`\n▶ ${label}: ${meta.rows} rows (${meta.bad} bad), ${mb(meta.bytes)} MB${dryRun ? ', --dry-run' : ''}`);
  global.gc?.();
  const serverStart = process.memoryUsage().rss;
  let serverPeak = serverStart;
  let cliPeak = 0;
  let javaPeak = 0;
  const started = performance.now();
  const child = spawn(process.execPath, cliArgs, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid as number;
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const cliTimer = setInterval(() => {
    cliPeak = Math.max(cliPeak, peakRss(pid) ?? 0);
  }, 100);
  const serverTimer = setInterval(() => {
    serverPeak = Math.max(serverPeak, process.memoryUsage().rss);
    if (javaPid) javaPeak = Math.max(javaPeak, currentRss(javaPid) ?? 0);
  }, 250);
  let lastLog = performance.now();
  const progress = setInterval(() => {
    if (performance.now() - lastLog < 30_000) return;
    lastLog = performance.now();
    say(
      `  ${round((performance.now() - started) / 1000)} s: CLI peak ${mb(cliPeak)} MB, server RSS ${mb(process.memoryUsage().rss)} MB`,
    );
  }, 1_000);
  const exitCode = await new Promise<number | null>((resolve) => {
    // 'exit' fires once the child is reaped and /proc/<pid> is gone: VmHWM is taken on the
    // last poll, at most 100 ms before the end (the CLI's memory does not peak while exiting).
    child.once('exit', (code) => resolve(code));
  });
  const wallSeconds = (performance.now() - started) / 1000;
  clearInterval(cliTimer);
  clearInterval(serverTimer);
  clearInterval(progress);
  const summary = stdout.trim().split('\n')[0] ?? '';
  if (stderr.trim()) say(`  CLI stderr: ${stderr.trim().slice(0, 500)}`);
  say(`  CLI exit ${exitCode} after ${round(wallSeconds, 1)} s: ${summary}`);

  const run: CliRun = {
    label,
    rows: meta.rows,
    bad: meta.bad,
    fileMb: mb(meta.bytes),
    dryRun,
    exitCode,
    wallSeconds: round(wallSeconds, 1),
    rowsPerSecond: round(meta.rows / wallSeconds),
    cliPeakRssMb: mb(cliPeak),
    serverPeakRssMb: mb(serverPeak),
    serverRssAtStartMb: mb(serverStart),
    ...(javaPid ? { dynamoDbLocalPeakRssMb: mb(javaPeak) } : {}),
    summary,
    checks: [],
  };
  const check = (name: string, ok: boolean, detail: string) => run.checks.push({ name, ok, detail });
  check('CLI exit code 1 (rows were refused)', exitCode === 1, `exit ${exitCode}`);
  const importId = /\((imp-[^,\s)]+),/.exec(summary)?.[1];
  run.importId = importId;
  if (!importId) {
    check('import id in the summary', false, summary);
    return run;
  }
  const res = await fetch(`${apiUrl}/api/imports/${importId}`, {
    headers: { authorization: `Bearer ${DEFAULT_ADMIN_TOKEN}` },
  });
  const report = (await res.json()) as { import?: { counts?: Record<string, number>; status?: string } };
  const counts = report.import?.counts ?? {};
  run.counts = counts;
  run.status = report.import?.status;
  check('counts.rows == N', counts.rows === meta.rows, `${counts.rows} vs ${meta.rows}`);
  check('counts.failed == bad rows', counts.failed === meta.bad, `${counts.failed} vs ${meta.bad}`);
  check(
    'counts.created == N - bad',
    counts.created === meta.rows - meta.bad,
    `${counts.created} vs ${meta.rows - meta.bad}`,
  );
  run.errorReportLines = await countLines(errorsFile);
  check('error report has bad + 1 lines', run.errorReportLines === meta.bad + 1, `${run.errorReportLines} lines`);
  for (const c of run.checks) say(`  ${c.ok ? '✓' : '✗'} ${c.name} (${c.detail})`);
  say(
    `  → ${run.rowsPerSecond} rows/s; CLI peak RSS ${run.cliPeakRssMb} MB; ` +
      `server RSS ${run.serverRssAtStartMb} → peak ${run.serverPeakRssMb} MB` +
      (run.dynamoDbLocalPeakRssMb === undefined ? '' : `; DynamoDB Local peak RSS ${run.dynamoDbLocalPeakRssMb} MB`),
  );
  return run;
}

async function countLines(file: string): Promise<number> {
  let lines = 0;
  try {
    for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
      for (const byte of chunk) if (byte === 10) lines += 1;
    }
  } catch {
    return 0;
  }
  return lines;
}

function markdown(results: {
  date: string;
  machine: string;
  stackStartSeconds: number;
  runs: CliRun[];
  totalSeconds: number;
}): string {
  const lines = [
    `# Tend import benchmark`,
    '',
    `${results.date}; ${results.machine}; stack up in ${results.stackStartSeconds} s; total ${results.totalSeconds} s.`,
    '',
    '| Run | Rows (bad) | File | Wall | Rows/s | CLI peak RSS | Server RSS start → peak | DynamoDB Local peak RSS | Checks |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of results.runs) {
    const failed = r.checks.filter((c) => !c.ok);
    lines.push(
      `| ${r.label} | ${r.rows.toLocaleString('en')} (${r.bad}) | ${r.fileMb} MB | ${r.wallSeconds} s | ` +
        `${r.rowsPerSecond.toLocaleString('en')} | ${r.cliPeakRssMb} MB | ${r.serverRssAtStartMb} → ${r.serverPeakRssMb} MB | ` +
        `${r.dynamoDbLocalPeakRssMb ?? '–'} MB | ${failed.length === 0 ? `all ${r.checks.length} pass` : failed.map((c) => `✗ ${c.name}: ${c.detail}`).join('; ')} |`,
    );
  }
  lines.push('');
  return `${lines.join('\n')}\n`;
}

async function main() {
  const started = performance.now();
  const cpus = os.cpus();
  const machine = `${cpus[0]?.model.trim()}, ${cpus.length} cores, Node ${process.version}, load average ${os
    .loadavg()
    .map((l) => round(l, 2))
    .join(' ')}`;
  say(`Tend import benchmark: ${machine}`);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tend-bench-import-'));
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'tend-bench-csv-'));
  let stack: LocalStack | undefined;
  const stop = async () => {
    const running = stack;
    stack = undefined;
    await running?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(workDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    void stop().finally(() => process.exit(130));
  });
  try {
    // Every file has its own emails and phone numbers (its own area code), so each import
    // creates all its good rows, and the dry runs read files the real imports never wrote.
    say('\n▶ writing the CSV files');
    const sizes = args['skip-small'] ? [rows] : [smallRows, rows];
    type CsvFile = { file: string; rows: number; bad: number; bytes: number };
    const files: { dry: CsvFile; real: CsvFile }[] = [];
    let area = 415;
    for (const n of sizes) {
      const pair: Partial<Record<'dry' | 'real', CsvFile>> = {};
      for (const kind of ['dry', 'real'] as const) {
        const file = path.join(workDir, `contacts-${n}-${kind}.csv`);
        const meta = await writeCsv(file, n, `${kind}${n}`, area++);
        pair[kind] = { file, rows: n, ...meta };
        say(`  ${file}: ${n} rows, ${meta.bad} bad, ${mb(meta.bytes)} MB`);
      }
      files.push(pair as { dry: CsvFile; real: CsvFile });
    }

    say('\n▶ starting the local stack');
    const stackStarted = performance.now();
    stack = await startLocalStack({
      dataDir,
      inMemory: true,
      apiPort: 0,
      sesPort: 0,
      dynamoPort: 0,
      sfnPort: 0,
      timeScale: 1,
      adminToken: DEFAULT_ADMIN_TOKEN,
      demoSourceSecret: DEFAULT_DEMO_SOURCE_SECRET,
      log: () => {},
    });
    const stackStartSeconds = round((performance.now() - stackStarted) / 1000, 1);
    const javaPid = Number(readFileSync(path.join(dataDir, 'dynamodb-local.pid'), 'utf8')) || undefined;
    const apiUrl = stack.urls.api.replace('//localhost:', '//127.0.0.1:');
    say(`  up in ${stackStartSeconds} s: api ${apiUrl}, DynamoDB Local pid ${javaPid}`);

    const runs: CliRun[] = [];
    const results = {
      date: new Date().toISOString(),
      command: `npm run bench:import${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
      machine,
      stackStartSeconds,
      runs,
      totalSeconds: 0,
    };
    const save = async () => {
      results.totalSeconds = round((performance.now() - started) / 1000);
      mkdirSync(RESULTS_DIR, { recursive: true });
      await writeFile(path.join(RESULTS_DIR, 'import-latest.json'), `${JSON.stringify(results, null, 2)}\n`);
      await writeFile(path.join(RESULTS_DIR, 'import-latest.md'), markdown(results));
    };
    // Small file first (dry run, import), then the large one (import, dry run: the long import
    // first). The dry runs read their own files, so the order does not change their counts.
    // Results are saved after every run, so a run cut short keeps the ones before it.
    for (const [i, f] of files.entries()) {
      const label = f.real.rows.toLocaleString('en');
      const order = i === 0 && files.length > 1 ? (['dry', 'real'] as const) : (['real', 'dry'] as const);
      for (const kind of order) {
        const dry = kind === 'dry';
        runs.push(
          await runCli(`${label} rows, ${dry ? '--dry-run' : 'import'}`, f[kind].file, f[kind], dry, apiUrl, javaPid),
        );
        await save();
      }
    }
    const report = markdown(results);
    say(`\n${report}`);
    say('Wrote bench/results/import-latest.json and bench/results/import-latest.md.');
    if (runs.some((r) => r.checks.some((c) => !c.ok))) process.exitCode = 1;
  } finally {
    say('▶ stopping the local stack');
    await stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
