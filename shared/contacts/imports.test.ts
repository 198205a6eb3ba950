import { beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '#core/clock.ts';
import { createMemoryStore } from '#platform/memory-store.ts';
import { getContactView } from './contact-view.ts';
import { rowToContact } from './csv-contacts.ts';
import { finishImport, importRows, startImport } from './imports.ts';

const clock: Clock = { now: () => new Date('2026-11-23T10:00:00Z') };
let memory: ReturnType<typeof createMemoryStore>;
beforeEach(() => {
  memory = createMemoryStore();
});
const deps = () => ({ store: memory.store, clock });
const contact = async (email: string) => (await getContactView(memory.store, { kind: 'email', value: email }))?.contact;

describe('CSV rows', () => {
  it('maps known headers in any spelling and keeps other columns as properties', () => {
    expect(
      rowToContact({
        'E-mail Address': ' Ada@Example.com ',
        'First Name': 'Ada',
        Phone: '+44 20 7946 0958',
        City: 'Paris',
        Empty: '',
      }),
    ).toEqual({
      ok: true,
      identifiers: { email: 'ada@example.com', phone: '+442079460958' },
      profile: { firstName: 'Ada', properties: { City: 'Paris' } },
    });
  });

  it.each([
    [{ email: 'not-an-email' }, 'email: "not-an-email" is not a valid email address'],
    [{ phone: '0207 946 0958' }, 'E.164'],
    [{ city: 'Paris' }, 'nothing says who this row is'],
  ])('refuses %j with a reason', (row, reason) => {
    const result = rowToContact(row);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toContain(reason);
  });
});

describe('imports', () => {
  it('creates and updates through identity resolution, and reports bad rows by line', async () => {
    const existing = await startImport(deps(), {}, 'admin');
    await importRows(deps(), existing.importId, { firstRow: 2, rows: [{ email: 'ada@example.com', plan: 'free' }] });

    const { importId } = await startImport(deps(), { mode: 'merge' }, 'admin');
    const result = await importRows(deps(), importId, {
      firstRow: 2,
      rows: [
        { email: 'ADA@example.com', plan: 'pro', city: '' },
        { email: 'bob@example.com', plan: 'free', city: 'Lyon' },
        { email: 'broken', plan: 'x', city: '' },
        { email: 'ada@example.com', plan: 'pro', city: '' },
      ],
    });

    expect(result.counts).toEqual({ rows: 4, created: 1, updated: 1, unchanged: 1, failed: 1, conflicts: 0 });
    expect(result.errors).toEqual([
      {
        row: 4,
        message: expect.stringContaining('not a valid email'),
        values: { email: 'broken', plan: 'x', city: '' },
      },
    ]);
    expect((await contact('ada@example.com'))?.properties).toEqual({ plan: 'pro' });
    expect((await contact('ada@example.com'))?.provenance?.['properties.plan']?.source).toBe(`import:${importId}`);
    expect(memory.sizes().contacts).toBe(2);
  });

  it('replace mode makes the row the contact properties; merge mode leaves the others', async () => {
    const first = await startImport(deps(), {}, 'admin');
    await importRows(deps(), first.importId, {
      firstRow: 2,
      rows: [{ email: 'ada@example.com', plan: 'pro', city: 'Paris' }],
    });

    const merge = await startImport(deps(), { mode: 'merge' }, 'admin');
    await importRows(deps(), merge.importId, { firstRow: 2, rows: [{ email: 'ada@example.com', plan: 'team' }] });
    expect((await contact('ada@example.com'))?.properties).toEqual({ plan: 'team', city: 'Paris' });

    const replace = await startImport(deps(), { mode: 'replace' }, 'admin');
    await importRows(deps(), replace.importId, {
      firstRow: 2,
      rows: [{ email: 'ada@example.com', plan: 'solo', city: '' }],
    });
    expect((await contact('ada@example.com'))?.properties).toEqual({ plan: 'solo' });
  });

  it('counts a retried batch once', async () => {
    const { importId } = await startImport(deps(), {}, 'admin');
    const batch = { firstRow: 2, rows: [{ email: 'ada@example.com' }, { email: 'bad' }] };
    const first = await importRows(deps(), importId, batch);
    const retry = await importRows(deps(), importId, batch);
    expect([first.counted, retry.counted]).toEqual([true, false]);
    const report = await finishImport(deps(), importId);
    expect(report.import.counts).toMatchObject({ rows: 2, created: 1, failed: 1 });
    expect(report.errors).toHaveLength(1);
    expect(memory.sizes().contacts).toBe(1);
  });

  it('writes no contact in a dry run but says what would happen', async () => {
    const { importId } = await startImport(deps(), { dryRun: true }, 'admin');
    const result = await importRows(deps(), importId, {
      firstRow: 2,
      rows: [{ email: 'ada@example.com' }, { email: 'x' }],
    });
    expect(result.counts).toMatchObject({ created: 1, failed: 1 });
    expect(memory.sizes().contacts).toBe(0);
  });

  it('refuses rows for a completed import', async () => {
    const { importId } = await startImport(deps(), {}, 'admin');
    await finishImport(deps(), importId);
    await expect(importRows(deps(), importId, { firstRow: 2, rows: [{ email: 'a@b.co' }] })).rejects.toMatchObject({
      kind: 'conflict',
      code: 'import_completed',
    });
  });
});
