import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import {
  type ContactKpiState,
  type CounterIncrement,
  type CounterStamp,
  type Counters,
  mergeIncrements,
} from '#domain/kpis.ts';
import type { AggregateStore } from '#ports/aggregates.ts';
import { strip, tableOps } from './dynamo-table.ts';

/**
 * Aggregate items (pk / sk):
 *   COUNTERS#<kind>      <key>         counter    (kind: kpi, journey or source; fields as `c_<field>` numbers)
 *   AGGDONE#<eventId>    AGGDONE       agg-done   (the event's adds were applied; TTL 30 days)
 *   CONTACT#<id>         KPISTATE      kpi-state  (the contact's facts for cohorts and conversions)
 * An event's adds, its marker and the contact's state are written in one transaction; a stream
 * batch's events go together in as few transactions as the 100-item limit allows.
 */
const FIELD_PREFIX = 'c_';
const DONE_TTL_SECONDS = 30 * 86_400;
const counterPk = (key: string) => `COUNTERS#${key.split('#')[0]}`;
/** Tries of a transaction that collided with another on a shared counter. */
const CONFLICT_ATTEMPTS = 5;

export function createDynamoAggregates(db: DynamoDBDocumentClient, tableName: string): AggregateStore {
  const { batchGet, get } = tableOps(db, tableName);
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
        expiresAt: Math.floor(Date.now() / 1000) + DONE_TTL_SECONDS,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  });
  const stateItem = (contactId: string, state: ContactKpiState) => ({
    Put: {
      TableName: tableName,
      Item: { pk: `CONTACT#${contactId}`, sk: 'KPISTATE', type: 'kpi-state', ...state },
    },
  });
  /**
   * One transaction: the markers (conditional, so once), the counter adds merged by key, and any
   * extra writes. Answers the ids whose marker existed when it was cancelled for that.
   */
  const applyOnce = async (
    markerIds: readonly string[],
    increments: readonly CounterIncrement[],
    extra: Record<string, unknown>[],
    stamps: readonly CounterStamp[] = [],
  ): Promise<string[]> => {
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
    for (let attempt = 1; ; attempt++) {
      try {
        await db.send(new TransactWriteCommand({ TransactItems: [...markerIds.map(marker), ...updates, ...extra] }));
        return [];
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        const duplicates = markerIds.filter((_, i) => reasons[i]?.Code === 'ConditionalCheckFailed');
        if (duplicates.length > 0) return duplicates;
        // Another transaction was writing the same counter: those are short, so try again soon.
        if (!reasons.some((r) => r.Code === 'TransactionConflict') || attempt >= CONFLICT_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20 * attempt + Math.random() * 50));
      }
    }
  };

  return {
    applyAggregates: async ({ eventId, contactId, increments, state }) =>
      (await applyOnce([eventId], increments, [stateItem(contactId, state)])).length > 0 ? 'duplicate' : 'applied',
    async applyBatch({ events, states }) {
      const duplicates = await applyOnce(
        events.map((e) => e.eventId),
        events.flatMap((e) => e.increments),
        [...states].map(([contactId, state]) => stateItem(contactId, state)),
        events.flatMap((e) => e.stamps ?? []),
      );
      return duplicates.length > 0 ? { outcome: 'duplicate', duplicates } : { outcome: 'applied' };
    },
    addOnce: async (markerId, increments, stamps) =>
      (await applyOnce([markerId], increments, [], stamps)).length > 0 ? 'duplicate' : 'applied',
    getKpiState: (contactId) => get<ContactKpiState>(`CONTACT#${contactId}`, 'KPISTATE'),
    async getKpiStates(contactIds) {
      const found = await batchGet(contactIds.map((id) => ({ pk: `CONTACT#${id}`, sk: 'KPISTATE' })));
      return new Map(
        [...found.values()].map((item) => [
          String(item.pk).slice('CONTACT#'.length),
          strip<ContactKpiState>(item) as ContactKpiState,
        ]),
      );
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
