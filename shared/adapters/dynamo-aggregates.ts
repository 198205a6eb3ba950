import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { type ContactKpiState, type CounterIncrement, type Counters, mergeIncrements } from '#domain/kpis.ts';
import type { AggregateStore } from '#ports/aggregates.ts';
import { tableOps } from './dynamo-table.ts';

/**
 * Aggregate items (pk / sk):
 *   COUNTERS#<kind>      <key>         counter    (kind: kpi or journey; fields as `c_<field>` numbers)
 *   AGGDONE#<eventId>    AGGDONE       agg-done   (the event's adds were applied; TTL 30 days)
 *   CONTACT#<id>         KPISTATE      kpi-state  (the contact's facts for cohorts and conversions)
 * One event's adds, its marker and the contact's state are written in one transaction.
 */
const FIELD_PREFIX = 'c_';
const DONE_TTL_SECONDS = 30 * 86_400;
const counterPk = (key: string) => `COUNTERS#${key.split('#')[0]}`;

export function createDynamoAggregates(db: DynamoDBDocumentClient, tableName: string): AggregateStore {
  const { get } = tableOps(db, tableName);
  const fieldsOf = (item: Record<string, unknown>): Record<string, number> =>
    Object.fromEntries(
      Object.entries(item)
        .filter(([name, value]) => name.startsWith(FIELD_PREFIX) && typeof value === 'number')
        .map(([name, value]) => [name.slice(FIELD_PREFIX.length), value as number]),
    );
  /** One transaction: the marker (conditional, so once), the counter adds, and any extra writes. */
  const applyOnce = async (
    markerId: string,
    increments: readonly CounterIncrement[],
    extra: Record<string, unknown>[],
  ): Promise<'applied' | 'duplicate'> => {
    const byKey = new Map<string, { field: string; by: number }[]>();
    for (const inc of mergeIncrements(increments)) byKey.set(inc.key, [...(byKey.get(inc.key) ?? []), inc]);
    const updates = [...byKey].map(([key, incs]) => ({
      Update: {
        TableName: tableName,
        Key: { pk: counterPk(key), sk: key },
        UpdateExpression: `SET #type = :type ADD ${incs.map((_, i) => `#f${i} :v${i}`).join(', ')}`,
        ExpressionAttributeNames: {
          '#type': 'type',
          ...Object.fromEntries(incs.map((inc, i) => [`#f${i}`, `${FIELD_PREFIX}${inc.field}`])),
        },
        ExpressionAttributeValues: {
          ':type': 'counter',
          ...Object.fromEntries(incs.map((inc, i) => [`:v${i}`, inc.by])),
        },
      },
    }));
    try {
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
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
            },
            ...updates,
            ...extra,
          ],
        }),
      );
      return 'applied';
    } catch (error) {
      if (
        error instanceof TransactionCanceledException &&
        error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
      ) {
        return 'duplicate';
      }
      throw error;
    }
  };

  return {
    applyAggregates: ({ eventId, contactId, increments, state }) =>
      applyOnce(eventId, increments, [
        {
          Put: {
            TableName: tableName,
            Item: { pk: `CONTACT#${contactId}`, sk: 'KPISTATE', type: 'kpi-state', ...state },
          },
        },
      ]),
    addOnce: (markerId, increments) => applyOnce(markerId, increments, []),
    getKpiState: (contactId) => get<ContactKpiState>(`CONTACT#${contactId}`, 'KPISTATE'),
    async getCounters(keys) {
      const counters: Counters = {};
      const unique = [...new Set(keys)];
      const chunks: string[][] = [];
      for (let i = 0; i < unique.length; i += 100) chunks.push(unique.slice(i, i + 100));
      // The 100-key chunks go out together: a long period is one round trip deep, not several.
      await Promise.all(
        chunks.map(async (chunk) => {
          let request: Record<string, { Keys: Record<string, unknown>[] }> | undefined = {
            [tableName]: { Keys: chunk.map((key) => ({ pk: counterPk(key), sk: key })) },
          };
          while (request && Object.keys(request).length > 0) {
            const out = await db.send(new BatchGetCommand({ RequestItems: request }));
            for (const item of out.Responses?.[tableName] ?? []) counters[String(item.sk)] = fieldsOf(item);
            request = out.UnprocessedKeys as typeof request;
          }
        }),
      );
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
