import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { aggregateEvents, kpiReport } from '#reports/aggregates.ts';
import { createDynamoAggregates } from '#reports/dynamo-aggregates.ts';
import { db, scratchTable } from '../support/local.ts';
import { timelineEvent as event, orderPlaced as order } from '../support/timeline.ts';

/**
 * On DynamoDB Local: a contact's events are applied once by its KPI state item alone (no marker
 * item per event), for as long as the stream could replay them, and its facts only from the
 * revision they were computed from.
 */
const tableName = scratchTable('aggregate-guards');
const DAY = 86_400_000;
let clock = Date.parse('2026-11-02T10:00:00Z');
const aggregates = createDynamoAggregates(db, tableName, () => clock);
const read = async (pk: string, sk: string) =>
  (await db.send(new GetCommand({ TableName: tableName, Key: { pk, sk }, ConsistentRead: true }))).Item;
const november = { from: '2026-11-01', to: '2026-11-30' };

describe("a contact's KPI state as its events' guard", () => {
  it('refuses a replayed batch, a day later too, without a marker item per event', async () => {
    const batch = [
      event('c-ada', 'ada', 'contact.created', '2026-11-02T09:00:00Z'),
      order('o-ada-1', 'ada', '2026-11-02T09:30:00Z'),
      event('s-ada-1', 'ada', 'email.sent', '2026-11-02T09:31:00Z'),
    ];
    expect(await aggregateEvents(aggregates, batch)).toEqual({ applied: 3, duplicates: 0 });
    expect(await read('AGGDONE#o-ada-1', 'AGGDONE')).toBeUndefined();
    const stored = await read('CONTACT#ada', 'KPISTATE');
    expect(stored).toMatchObject({ rev: 1, createdAt: '2026-11-02T09:00:00.000Z' });
    expect(stored).not.toHaveProperty('recent');

    clock += DAY;
    // The same records again, with a new one: only the new one counts.
    const again = [...batch, event('s-ada-2', 'ada', 'email.sent', '2026-11-03T09:00:00Z')];
    expect(await aggregateEvents(aggregates, again)).toEqual({ applied: 1, duplicates: 3 });
    const kpis = await kpiReport(aggregates, november);
    expect(kpis.orders).toBe(1);
    expect(kpis.newContacts).toBe(1);
    expect((await aggregates.getCounters(['kpi#day#2026-11-02']))['kpi#day#2026-11-02']).toMatchObject({
      email_sent: 1,
    });
    // The guard keeps two days of ids: today's set and yesterday's, the one before is removed.
    const guarded = await read('CONTACT#ada', 'KPISTATE');
    const sets = ['g0', 'g1', 'g2'].filter((name) => guarded?.[name] instanceof Set);
    expect(sets).toHaveLength(2);
    clock += 2 * DAY;
    const third = [event('s-ada-3', 'ada', 'email.sent', '2026-11-05T09:00:00Z')];
    expect(await aggregateEvents(aggregates, third)).toEqual({ applied: 1, duplicates: 0 });
    expect(await aggregateEvents(aggregates, third)).toEqual({ applied: 0, duplicates: 1 });
    // Two days on, the last write's set (two days old now) was removed: the item does not grow.
    const later = await read('CONTACT#ada', 'KPISTATE');
    expect(['g0', 'g1', 'g2'].filter((name) => later?.[name] instanceof Set)).toHaveLength(1);
  });

  it("writes a contact's facts only from the revision they were read at", async () => {
    await aggregateEvents(aggregates, [event('c-bob', 'bob', 'contact.created', '2026-11-02T09:00:00Z')]);
    // Another writer moved bob's state after the batch read it: the write is refused, read again
    // and recomputed, so the second order is bob's repeat purchase, not a second first one.
    const states = aggregates.getKpiStates.bind(aggregates);
    let raced = false;
    const racing = {
      ...aggregates,
      async getKpiStates(ids: readonly string[]) {
        const found = await states(ids);
        if (!raced) {
          raced = true;
          await aggregateEvents(aggregates, [order('o-bob-1', 'bob', '2026-11-03T10:00:00Z')]);
        }
        return found;
      },
    };
    expect(await aggregateEvents(racing, [order('o-bob-2', 'bob', '2026-11-04T10:00:00Z')])).toEqual({
      applied: 1,
      duplicates: 0,
    });
    expect((await read('CONTACT#bob', 'KPISTATE'))?.firstOrders).toEqual([
      '2026-11-03T10:00:00.000Z',
      '2026-11-04T10:00:00.000Z',
    ]);
    const repeat = await aggregates.getCounters(['kpi#day#2026-11-04']);
    expect(repeat['kpi#day#2026-11-04']).toMatchObject({ customers_repeat: 1 });
    expect(repeat['kpi#day#2026-11-04']).not.toHaveProperty('customers_new', 1);
  });

  it('takes over a state an earlier version wrote (full ids, no revision)', async () => {
    // A replay of its contact.created must not take the state for none: the write wants no item.
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          pk: 'CONTACT#cleo',
          sk: 'KPISTATE',
          type: 'kpi-state',
          createdAt: '2026-11-01T09:00:00.000Z',
          firstOrders: ['2026-11-01T10:00:00.000Z'],
          orderMonths: ['2026-11'],
          recent: ['c-cleo', 'o-cleo-1'],
        },
      }),
    );
    expect(await aggregateEvents(aggregates, [order('o-cleo-2', 'cleo', '2026-11-06T10:00:00Z')])).toEqual({
      applied: 1,
      duplicates: 0,
    });
    const stored = await read('CONTACT#cleo', 'KPISTATE');
    expect(stored).toMatchObject({ rev: 1, firstOrders: ['2026-11-01T10:00:00.000Z', '2026-11-06T10:00:00.000Z'] });
    // What that version applied, replayed now, is refused: its ids are read from the old list.
    const replayed = [
      event('c-cleo', 'cleo', 'contact.created', '2026-11-01T09:00:00Z'),
      order('o-cleo-1', 'cleo', '2026-11-01T10:00:00Z'),
    ];
    expect(await aggregateEvents(aggregates, replayed)).toEqual({ applied: 0, duplicates: 2 });
    expect(await read('CONTACT#cleo', 'KPISTATE')).toMatchObject({ rev: 1, createdAt: '2026-11-01T09:00:00.000Z' });
    expect((await aggregates.getCounters(['kpi#day#2026-11-01']))['kpi#day#2026-11-01']).toBeUndefined();
    // An order of it replayed alone: the state is read for it, and its old list names the order
    // (the write's revision and today's ids would let it through).
    expect(await aggregateEvents(aggregates, [order('o-cleo-1', 'cleo', '2026-11-01T10:00:00Z')])).toEqual({
      applied: 0,
      duplicates: 1,
    });
    expect(await read('CONTACT#cleo', 'KPISTATE')).toMatchObject({ rev: 1 });
  });

  it('splits a contact with many events in one batch into several guarded writes', async () => {
    const many = Array.from({ length: 60 }, (_, i) =>
      event(`open-${i}`, 'dana', 'email.opened', `2026-11-07T10:${String(i).padStart(2, '0')}:00Z`),
    );
    expect(await aggregateEvents(aggregates, many)).toEqual({ applied: 60, duplicates: 0 });
    expect(await aggregateEvents(aggregates, many)).toEqual({ applied: 0, duplicates: 60 });
    expect((await aggregates.getCounters(['kpi#day#2026-11-07']))['kpi#day#2026-11-07']).toEqual({ email_opened: 60 });
    expect(await read('CONTACT#dana', 'KPISTATE')).toMatchObject({ rev: 3 });
  });
});
