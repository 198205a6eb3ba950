import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { tableOps } from '#platform/dynamo-table.ts';
import type { InboxRecord, Source } from './model.ts';
import type { InboxStore, SourceStore } from './store.ts';

export interface InboxRetention {
  /** Days an inbox record is kept after it was received (the table's TTL deletes it); unset: kept. */
  inboxDays?: number;
}

/**
 * When an inbox record expires, in epoch seconds (DynamoDB's TTL format). Counted from its
 * receipt, not from its processing: the record is written once and processed from the stream
 * within seconds, so this costs no second write.
 */
const inboxExpiresAt = (receivedAt: string, days: number): number =>
  Math.floor(Date.parse(receivedAt) / 1000) + days * 86_400;

/**
 * Source and inbox items in the single table (pk / sk):
 *   SOURCES            <sourceId>                 source      (sealed secrets, settings, counters)
 *   INBOX#<inboxId>    INBOX                      inbox       (stream → process-inbox; expiresAt)
 */
export function createDynamoSources(
  db: DynamoDBDocumentClient,
  tableName: string,
  retention: InboxRetention = {},
): SourceStore & InboxStore {
  const { get, put, queryPrefix, withMap } = tableOps(db, tableName);
  const { inboxDays } = retention;

  const countUpdate = (sourceId: string, outcome: string, at: string) => ({
    Key: { pk: 'SOURCES', sk: sourceId },
    UpdateExpression: 'ADD stats.#o :one SET stats.lastDeliveryAt = :at',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeNames: { '#o': outcome },
    ExpressionAttributeValues: { ':one': 1, ':at': at },
  });
  /** Counting inside the source's `stats` map (see `withMap`). */
  const withStatsMap = <T>(sourceId: string, write: () => Promise<T>) =>
    withMap({ pk: 'SOURCES', sk: sourceId }, 'stats', write);

  return {
    async getSource(sourceId) {
      return get<Source>('SOURCES', sourceId);
    },
    async createSource(source) {
      // Created with its stats map, so counting a delivery is one write.
      const item = { pk: 'SOURCES', sk: source.sourceId, type: 'source', stats: {}, ...source };
      return (await put(item, 'attribute_not_exists(pk)')) ? 'created' : 'exists';
    },
    async updateSource(source) {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: 'SOURCES', sk: source.sourceId },
          UpdateExpression: 'SET #n = :n, secrets = :sec, settings = :set, #s = :s, updatedAt = :u',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#n': 'name', '#s': 'status' },
          ExpressionAttributeValues: {
            ':n': source.name,
            ':sec': source.secrets,
            ':set': source.settings,
            ':s': source.status,
            ':u': source.updatedAt,
          },
        }),
      );
    },
    async listSources() {
      return queryPrefix<Source>('SOURCES', '');
    },
    async countDelivery(sourceId, outcome, at) {
      await withStatsMap(sourceId, () =>
        db.send(new UpdateCommand({ TableName: tableName, ...countUpdate(sourceId, outcome, at) })),
      );
    },

    async putInboxOnce(record) {
      const item = {
        pk: `INBOX#${record.inboxId}`,
        sk: 'INBOX',
        type: 'inbox',
        ...record,
        ...(inboxDays === undefined ? {} : { expiresAt: inboxExpiresAt(record.receivedAt, inboxDays) }),
      };
      return (await put(item, 'attribute_not_exists(pk)')) ? 'stored' : 'duplicate';
    },
    async getInbox(inboxId) {
      return get<InboxRecord>(`INBOX#${inboxId}`, 'INBOX');
    },
  };
}
