import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import type { Clock } from '#core/clock.ts';
import { parseOrRefuse } from '#core/parse.ts';
import type { RegistryStore } from '#platform/store.ts';
import { rowToContact } from './csv-contacts.ts';
import { ContactError } from './errors.ts';
import { resolveContact } from './identity.ts';
import { refsOf } from './identity-model.ts';
import { applyProfile } from './identity-profile.ts';
import type { ImportRecord, ImportRowError } from './model.ts';
import type { ErasedAddresses } from './privacy/erased-addresses.ts';
import type { ContactStore } from './store.ts';

/**
 * Contact import. The client streams the file and sends rows in numbered batches; the server
 * applies each row through identity resolution (so an import never duplicates a contact and
 * never merges two people) and records per-row errors. A batch is keyed by its first row: a
 * retried batch re-applies idempotently and counts once. A dry run reads but writes nothing
 * except the import record and its error report.
 */
export const MAX_ROWS_PER_BATCH = 1_000;

export interface ImportDeps {
  store: ContactStore & RegistryStore;
  clock: Clock;
  /** Addresses erased on request: their rows are refused until the person signs up again. */
  erased?: Pick<ErasedAddresses, 'isErased'>;
}

/** The error-report line of an erased person's row (without its values: they are what was erased). */
export const ERASED_ROW_MESSAGE =
  'this address was erased on request; it is imported again only after the person signs up again themselves';

/** Listed as erased and held by no contact (a person who signed up again holds it once more). */
async function erasedRow(deps: ImportDeps, email: string | undefined): Promise<boolean> {
  if (!email || !deps.erased) return false;
  return (await deps.erased.isErased(email)) && !(await deps.store.findContactIdByEmail(email));
}

export const startImportSchema = z
  .object({
    /** merge: non-empty cells update, others stay. replace: the row becomes the contact's properties. */
    mode: z.enum(['merge', 'replace']).default('merge'),
    dryRun: z.boolean().default(false),
    fileName: z.string().max(200).optional(),
  })
  .strict();

export const rowsSchema = z
  .object({
    /** File line number of the first row (the header is line 1), for the error report. */
    firstRow: z.number().int().min(1),
    rows: z
      .array(z.record(z.string().max(200), z.string().max(10_000)))
      .min(1)
      .max(MAX_ROWS_PER_BATCH, `send at most ${MAX_ROWS_PER_BATCH} rows per batch`),
    /** Line numbers when they are not consecutive (multi-line quoted cells, skipped rows). */
    rowNumbers: z.array(z.number().int().min(1)).optional(),
  })
  .strict()
  .refine((b) => !b.rowNumbers || b.rowNumbers.length === b.rows.length, 'rowNumbers must match rows one to one');

export async function startImport(deps: ImportDeps, body: unknown, createdBy: string): Promise<ImportRecord> {
  const input = parseOrRefuse(startImportSchema, body, 'the import');
  const record: ImportRecord = {
    importId: `imp-${randomUUID()}`,
    mode: input.mode,
    dryRun: input.dryRun,
    ...(input.fileName ? { fileName: input.fileName } : {}),
    status: 'running',
    createdAt: deps.clock.now().toISOString(),
    createdBy,
    counts: { rows: 0, created: 0, updated: 0, unchanged: 0, failed: 0, conflicts: 0 },
  };
  await deps.store.createImport(record);
  return record;
}

type RowOutcome = 'created' | 'updated' | 'unchanged' | 'failed';

export interface BatchResult {
  counts: ImportRecord['counts'];
  errors: ImportRowError[];
  /** False when this batch had been recorded before (a retry): nothing was counted twice. */
  counted: boolean;
}

/** Applies one batch of rows, a few at a time. */
export async function importRows(deps: ImportDeps, importId: string, body: unknown): Promise<BatchResult> {
  const batch = parseOrRefuse(rowsSchema, body, 'the rows');
  const record = await deps.store.getImport(importId);
  if (!record) throw new ContactError('unknown_import', `no import "${importId}"`);
  if (record.status !== 'running')
    throw new ContactError('import_completed', `import "${importId}" is already completed`);
  const counts = { rows: batch.rows.length, created: 0, updated: 0, unchanged: 0, failed: 0, conflicts: 0 };
  const errors: ImportRowError[] = [];
  const at = deps.clock.now().toISOString();
  const rowNumber = (i: number) => batch.rowNumbers?.[i] ?? batch.firstRow + i;

  const apply = async (row: Record<string, string>, i: number): Promise<RowOutcome> => {
    const mapped = rowToContact(row);
    if (!mapped.ok) {
      errors.push({ row: rowNumber(i), message: mapped.message, values: row });
      return 'failed';
    }
    if (await erasedRow(deps, mapped.identifiers.email)) {
      errors.push({ row: rowNumber(i), message: ERASED_ROW_MESSAGE });
      return 'failed';
    }
    if (record.dryRun) return (await wouldCreate(deps.store, mapped.identifiers)) ? 'created' : 'updated';
    const cause = `import:${importId}:${rowNumber(i)}`;
    const source = `import:${importId}`;
    const resolution = await resolveContact(deps, {
      identifiers: mapped.identifiers,
      cause,
      at,
      profile: mapped.profile,
      source,
    });
    counts.conflicts += resolution.conflicts.length;
    if (resolution.created) return 'created';
    const changed = await applyProfile(deps, resolution.contactId, mapped.profile, {
      source,
      at,
      mode: record.mode === 'replace' ? 'replace' : 'newer-wins',
    });
    return changed;
  };

  const outcomes: RowOutcome[] = new Array(batch.rows.length);
  let next = 0;
  const worker = async () => {
    while (next < batch.rows.length) {
      const i = next++;
      // A row problem is an error-report line; a storage failure fails the batch, which the
      // client retries (every write is idempotent, and the batch counts once).
      outcomes[i] = await apply(batch.rows[i] as Record<string, string>, i);
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  for (const outcome of outcomes) counts[outcome] += 1;
  errors.sort((a, b) => a.row - b.row);
  const counted = await deps.store.recordImportBatch(importId, batch.firstRow, counts, errors);
  return { counts, errors, counted };
}

async function wouldCreate(store: ContactStore, identifiers: Parameters<typeof refsOf>[0]): Promise<boolean> {
  for (const ref of refsOf(identifiers)) {
    if (await store.findContactIdByIdentifier(ref.kind, ref.value)) return false;
  }
  return true;
}

export async function finishImport(deps: ImportDeps, importId: string) {
  const record = await deps.store.getImport(importId);
  if (!record) throw new ContactError('unknown_import', `no import "${importId}"`);
  await deps.store.completeImport(importId, deps.clock.now().toISOString());
  return importReport(deps, importId);
}

export async function importReport(deps: ImportDeps, importId: string, errorLimit = 1_000) {
  const record = await deps.store.getImport(importId);
  if (!record) throw new ContactError('unknown_import', `no import "${importId}"`);
  return { import: record, errors: await deps.store.listImportErrors(importId, errorLimit) };
}
