import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { TimelineEvent } from '#domain/contact.ts';

/** The few table operations every DynamoDB adapter shares (single table, `pk`/`sk` keys). */

export const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException;

/** A transaction cancelled because its first item's condition failed (the one that guards it). */
export const firstConditionFailed = (error: unknown) =>
  error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed';

/** Strips key and storage attributes so the domain never sees them. */
export function strip<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, type: _type, timelineSk: _t, expiresAt: _e, ...rest } = item;
  return rest as T;
}

/** A timeline event as stored: in its contact's partition, ordered by the `timeline` index. */
export const eventItem = (event: TimelineEvent) => ({
  pk: `CONTACT#${event.contactId}`,
  sk: `EVENT#${event.eventId}`,
  type: 'event',
  timelineSk: `${event.at}#${event.eventId}`,
  ...event,
});

export function tableOps(db: DynamoDBDocumentClient, tableName: string) {
  return {
    /** Runs a conditional write; false when its condition failed, any other error thrown. */
    async conditional(write: () => Promise<unknown>): Promise<boolean> {
      try {
        await write();
        return true;
      } catch (error) {
        if (isConditionFailure(error) || firstConditionFailed(error)) return false;
        throw error;
      }
    },
    async get<T>(pk: string, sk: string): Promise<T | undefined> {
      const out = await db.send(new GetCommand({ TableName: tableName, Key: { pk, sk }, ConsistentRead: true }));
      return strip<T>(out.Item);
    },
    /** Every item of a partition whose sort key starts with `prefix`, in key order, up to `limit`. */
    async queryPrefix<T>(pk: string, prefix = '', limit = Number.POSITIVE_INFINITY): Promise<T[]> {
      const items: T[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const out = await db.send(
          new QueryCommand({
            TableName: tableName,
            // DynamoDB refuses begins_with on an empty string: no prefix means the whole partition.
            KeyConditionExpression: prefix ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
            ExpressionAttributeValues: prefix ? { ':pk': pk, ':prefix': prefix } : { ':pk': pk },
            ExclusiveStartKey: startKey,
            ConsistentRead: true,
            Limit: Number.isFinite(limit) ? Math.min(limit - items.length, 1000) : undefined,
          }),
        );
        for (const item of out.Items ?? []) items.push(strip<T>(item) as T);
        startKey = out.LastEvaluatedKey;
      } while (startKey && items.length < limit);
      return items;
    },
  };
}
