import { createHash } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { strip, tableOps } from '#platform/dynamo-table.ts';
import type { CounterIncrement, CounterStamp, Counters } from './counters.ts';
import { type ContactKpiState, mergeIncrements } from './kpi-counters.ts';
import type { AggregateStore, ContactWrite, StoredKpiState } from './store.ts';

/**
 * Aggregate items (pk / sk):
 *   COUNTERS#<kind>      <key>         counter    (kind: kpi, journey or source; fields as `c_<field>` numbers)
 *   AGGDONE#<markerId>   AGGDONE       agg-done   (a delivery's or a visit's adds were applied; TTL 30 days)
 *   CONTACT#<id>         KPISTATE      kpi-state  (the contact's facts for cohorts and conversions, `rev`,
 *                                                  and the ids applied to it: string sets `g0`, `g1`, `g2`)
 * The ids applied to a contact are kept as short hashes in one set per day, three sets taking
 * turns: a write adds to today's set, is refused if an id is in today's or yesterday's, and
 * removes the set before (the stream replays a record, if ever, within its 24 hours). A batch's
 * adds, markers and contact writes go in one transaction.
 */
const FIELD_PREFIX = 'c_';
const DONE_TTL_SECONDS = 30 * 86_400;
const counterPk = (key: string) => `COUNTERS#${key.split('#')[0]}`;
/** Tries of a transaction that collided with another on a shared counter. */
const CONFLICT_ATTEMPTS = 5;
const GUARD_SETS = ['g0', 'g1', 'g2'] as const;
/** The state's own attributes, which are not facts. */
const STATE_BOOKKEEPING = new Set<string>(['rev', 'recent', ...GUARD_SETS]);

/** An id as a contact's guard keeps it: 72 bits of its SHA-256, so a set of a day's ids stays small. */
const guardKey = (id: string) => createHash('sha256').update(id).digest('base64url').slice(0, 12);

/** The guard sets of today, yesterday and the day before (removed by today's writes). */
function guardSets(nowMs: number) {
  const day = Math.floor(nowMs / 86_400_000);
  return {
    today: GUARD_SETS[day % 3] as string,
    yesterday: GUARD_SETS[(day + 2) % 3] as string,
    before: GUARD_SETS[(day + 1) % 3] as string,
  };
}

export function createDynamoAggregates(
  db: DynamoDBDocumentClient,
  tableName: string,
  now: () => number = Date.now,
): AggregateStore {
  const { batchGet } = tableOps(db, tableName);
  const fieldsOf = (item: Record<string, unknown>): Record<string, number> =>
    Object.fromEntries(
      Object.entries(item)
        .filter(([name, value]) => name.startsWith(FIELD_PREFIX) && typeof value === 'number')
        .map(([name, value]) => [name.slice(FIELD_PREFIX.length), value as number]),
    );
  const marker = (markerId: string) => ({
    Put: {
      TableName: tableName,
      Item: {
        pk: `AGGDONE#${markerId}`,
        sk: 'AGGDONE',
        type: 'agg-done',
        expiresAt: Math.floor(now() / 1000) + DONE_TTL_SECONDS,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  });
  /**
   * A contact's write: its ids added to today's set unless one is in today's or yesterday's,
   * the set before removed, `rev` up by one, and the new facts when given (then only from `rev`).
   */
  const contactUpdate = (write: ContactWrite) => {
    const sets = guardSets(now());
    const keys = write.ids.map(guardKey);
    const names: Record<string, string> = {
      '#type': 'type',
      '#rev': 'rev',
      '#today': sets.today,
      '#yesterday': sets.yesterday,
      '#before': sets.before,
    };
    const values: Record<string, unknown> = { ':type': 'kpi-state', ':one': 1, ':ids': new Set(keys) };
    const conditions = keys.map((_, i) => {
      values[`:k${i}`] = keys[i];
      return `NOT contains(#today, :k${i}) AND NOT contains(#yesterday, :k${i})`;
    });
    const assignments = ['#type = :type'];
    if (write.state) {
      for (const [i, [field, value]] of Object.entries(write.state).entries()) {
        if (value === undefined) continue;
        names[`#f${i}`] = field;
        values[`:f${i}`] = value;
        assignments.push(`#f${i} = :f${i}`);
      }
      // No revision: there was no item; 0: an item an earlier version wrote, without one.
      if (write.rev === undefined) conditions.push('attribute_not_exists(pk)');
      else if (write.rev === 0) conditions.push('attribute_not_exists(#rev)');
      else {
        values[':rev'] = write.rev;
        conditions.push('#rev = :rev');
      }
    }
    return {
      Update: {
        TableName: tableName,
        Key: { pk: `CONTACT#${write.contactId}`, sk: 'KPISTATE' },
        UpdateExpression: `SET ${assignments.join(', ')} ADD #today :ids, #rev :one REMOVE #before`,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    };
  };
  /**
   * One transaction: the markers (conditional, so once), the counter adds merged by key and the
   * contacts' writes. Answers the markers and contacts whose condition failed when it was refused.
   */
  const applyOnce = async (
    markerIds: readonly string[],
    increments: readonly CounterIncrement[],
    contacts: readonly ContactWrite[],
    stamps: readonly CounterStamp[] = [],
  ): Promise<{ markers: string[]; contacts: string[] }> => {
    const byKey = new Map<string, { adds: CounterIncrement[]; sets: Map<string, number> }>();
    const entry = (key: string) => {
      const found = byKey.get(key) ?? { adds: [], sets: new Map<string, number>() };
      byKey.set(key, found);
      return found;
    };
    for (const inc of mergeIncrements(increments)) entry(inc.key).adds.push(inc);
    for (const { key, field, value } of stamps) {
      const { sets } = entry(key);
      sets.set(field, Math.max(sets.get(field) ?? value, value));
    }
    const updates = [...byKey].map(([key, { adds, sets }]) => {
      const stamped = [...sets];
      const setParts = ['#type = :type', ...stamped.map((_, i) => `#s${i} = :s${i}`)];
      return {
        Update: {
          TableName: tableName,
          Key: { pk: counterPk(key), sk: key },
          UpdateExpression: `SET ${setParts.join(', ')}${adds.length > 0 ? ` ADD ${adds.map((_, i) => `#f${i} :v${i}`).join(', ')}` : ''}`,
          ExpressionAttributeNames: {
            '#type': 'type',
            ...Object.fromEntries(adds.map((inc, i) => [`#f${i}`, `${FIELD_PREFIX}${inc.field}`])),
            ...Object.fromEntries(stamped.map(([field], i) => [`#s${i}`, `${FIELD_PREFIX}${field}`])),
          },
          ExpressionAttributeValues: {
            ':type': 'counter',
            ...Object.fromEntries(adds.map((inc, i) => [`:v${i}`, inc.by])),
            ...Object.fromEntries(stamped.map(([, value], i) => [`:s${i}`, value])),
          },
        },
      };
    });
    const items = [...markerIds.map(marker), ...updates, ...contacts.map(contactUpdate)];
    const contactsFrom = markerIds.length + updates.length;
    for (let attempt = 1; ; attempt++) {
      try {
        await db.send(new TransactWriteCommand({ TransactItems: items }));
        return { markers: [], contacts: [] };
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        const failed = (i: number) => reasons[i]?.Code === 'ConditionalCheckFailed';
        const refused = {
          markers: markerIds.filter((_, i) => failed(i)),
          contacts: contacts.filter((_, i) => failed(contactsFrom + i)).map((c) => c.contactId),
        };
        if (refused.markers.length > 0 || refused.contacts.length > 0) return refused;
        // Another transaction was writing the same counter: those are short, so try again soon.
        if (!reasons.some((r) => r.Code === 'TransactionConflict') || attempt >= CONFLICT_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20 * attempt + Math.random() * 50));
      }
    }
  };
  const stored = (item: Record<string, unknown>): StoredKpiState => {
    const keys = new Set<string>();
    for (const name of GUARD_SETS) for (const key of (item[name] as Set<string> | undefined) ?? []) keys.add(key);
    const facts = Object.fromEntries(
      Object.entries(strip<Record<string, unknown>>(item) ?? {}).filter(([name]) => !STATE_BOOKKEEPING.has(name)),
    );
    // An item an earlier version wrote lists its last 50 event ids in full (`recent`); it is left
    // as it is (the ids age out of use with the stream's 24 hours) and read as applied.
    const recent = new Set(Array.isArray(item.recent) ? (item.recent as string[]) : []);
    return {
      state: facts as ContactKpiState,
      rev: typeof item.rev === 'number' ? item.rev : 0,
      applied: (id) => keys.has(guardKey(id)) || recent.has(id),
    };
  };

  return {
    async applyBatch({ increments, stamps, markers, contacts }) {
      const refused = await applyOnce(markers, increments, contacts, stamps);
      return refused.markers.length > 0 || refused.contacts.length > 0
        ? { outcome: 'refused', ...refused }
        : { outcome: 'applied' };
    },
    addOnce: async (markerId, increments, stamps) =>
      (await applyOnce([markerId], increments, [], stamps)).markers.length > 0 ? 'duplicate' : 'applied',
    async getKpiStates(contactIds) {
      const found = await batchGet(contactIds.map((id) => ({ pk: `CONTACT#${id}`, sk: 'KPISTATE' })));
      return new Map([...found.values()].map((item) => [String(item.pk).slice('CONTACT#'.length), stored(item)]));
    },
    async getCounters(keys) {
      // Dashboard figures: eventually consistent reads are half the price and fine for a page.
      const found = await batchGet(
        keys.map((key) => ({ pk: counterPk(key), sk: key })),
        false,
      );
      const counters: Counters = {};
      for (const item of found.values()) counters[String(item.sk)] = fieldsOf(item);
      return counters;
    },
    async listCounters(prefix) {
      const counters: Counters = {};
      let startKey: Record<string, unknown> | undefined;
      do {
        const out = await db.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': counterPk(prefix), ':prefix': prefix },
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of out.Items ?? []) counters[String(item.sk)] = fieldsOf(item);
        startKey = out.LastEvaluatedKey;
      } while (startKey);
      return counters;
    },
  };
}
