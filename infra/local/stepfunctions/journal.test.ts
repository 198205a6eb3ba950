import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JournalFiles } from './journal.ts';

describe('the store journal', () => {
  let dataDir: string;
  let files: JournalFiles;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sfn-journal-'));
    files = new JournalFiles(dataDir);
  });
  afterEach(async () => {
    await files.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('replays only the records newer than the snapshot, and drops a last line torn by a kill', async () => {
    await writeFile(files.snapshotPath, JSON.stringify({ version: 1, seq: 1 }));
    await writeFile(files.journalPath, '{"seq":1,"kind":"a"}\n{"seq":2,"kind":"b"}\n{"seq":3,"ki');

    const { snapshot, records } = await files.read<{ version: number }>();

    expect(snapshot).toEqual({ version: 1, seq: 1 });
    expect(records).toEqual([{ seq: 2, kind: 'b' }]);
  });

  it('refuses a journal damaged anywhere but its last line', async () => {
    await writeFile(files.journalPath, '{"seq":1,"kind":"a"}\nnot json\n{"seq":3,"kind":"c"}\n');

    await expect(files.read()).rejects.toThrow('line 2 is not JSON');
  });

  it('starts the journal afresh once a snapshot holds what it had', async () => {
    await files.append('{"seq":1,"kind":"a"}\n');
    await files.writeSnapshot(JSON.stringify({ version: 1, seq: 1 }));
    await files.append('{"seq":2,"kind":"b"}\n');

    expect((await files.read()).records).toEqual([{ seq: 2, kind: 'b' }]);
    expect(files.bytes).toBe('{"seq":2,"kind":"b"}\n'.length);
  });
});
