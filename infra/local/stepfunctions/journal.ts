import { type FileHandle, open, readFile, rename } from 'node:fs/promises';

/**
 * The files behind a persistent store: a snapshot (`stepfunctions.json`, rewritten whole but
 * rarely) and an append-only journal (`stepfunctions.journal`, one JSON record per line, each
 * with a rising `seq`). A record is on disk (written and fdatasync'ed) before anything that
 * depends on it is answered or done; replaying the journal's records newer than the snapshot's
 * `seq` over the snapshot gives back the state as it was at the last durable record.
 */

export interface JournalRecord {
  seq: number;
}

export interface SnapshotFile<S> {
  /** The snapshot's content, undefined when there is none yet. */
  snapshot: (S & { seq?: number }) | undefined;
  /** Journal records newer than the snapshot, in order; a torn last line (a crash mid-write) is dropped. */
  records: JournalRecord[];
}

const SNAPSHOT = 'stepfunctions.json';
const JOURNAL = 'stepfunctions.journal';

export class JournalFiles {
  readonly snapshotPath: string;
  readonly journalPath: string;
  private handle: FileHandle | undefined;
  /** Bytes in the journal since the last snapshot. */
  bytes = 0;

  constructor(dataDir: string) {
    this.snapshotPath = `${dataDir}/${SNAPSHOT}`;
    this.journalPath = `${dataDir}/${JOURNAL}`;
  }

  /** Reads the snapshot and the journal records it does not cover yet. */
  async read<S>(): Promise<SnapshotFile<S>> {
    const snapshotText = await readIfExists(this.snapshotPath);
    // A corrupt snapshot is reported, not silently replaced: it may hold executions someone wants.
    const snapshot = snapshotText === undefined ? undefined : (JSON.parse(snapshotText) as S & { seq?: number });
    const covered = snapshot?.seq ?? 0;
    const journalText = (await readIfExists(this.journalPath)) ?? '';
    const lines = journalText.split('\n');
    const records: JournalRecord[] = [];
    for (const [index, line] of lines.entries()) {
      if (line === '') continue;
      let record: JournalRecord;
      try {
        record = JSON.parse(line) as JournalRecord;
      } catch (error) {
        // Only the last line can be torn by a kill: its batch was never acknowledged.
        if (index === lines.length - 1) break;
        throw new Error(`${this.journalPath}: line ${index + 1} is not JSON`, { cause: error });
      }
      if (record.seq > covered) records.push(record);
    }
    return { snapshot, records };
  }

  /** Appends whole lines and waits until they are on disk. */
  async append(text: string): Promise<void> {
    const handle = await this.journal();
    await handle.write(text);
    await handle.datasync();
    this.bytes += Buffer.byteLength(text);
  }

  /**
   * Replaces the snapshot (temporary file, fsync, rename: never torn), then empties the journal.
   * A crash between the two leaves journal records the snapshot already covers; `read` skips
   * them by `seq`.
   */
  async writeSnapshot(text: string): Promise<void> {
    const temporary = `${this.snapshotPath}.${process.pid}.tmp`;
    const file = await open(temporary, 'w');
    try {
      await file.write(text);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, this.snapshotPath);
    const handle = await this.journal();
    await handle.truncate(0);
    await handle.datasync();
    this.bytes = 0;
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  private async journal(): Promise<FileHandle> {
    this.handle ??= await open(this.journalPath, 'a');
    return this.handle;
  }
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
