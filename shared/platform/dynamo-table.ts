import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { TimelineEvent } from '#core/contact.ts';

/** The few table operations every DynamoDB adapter shares (single table, `pk`/`sk` keys). */

export const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException;

/** A transaction cancelled because its first item's condition failed (the one that guards it). */
export const firstConditionFailed = (error: unknown) =>
  error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed';

/**
 * An update that set or added inside a map the item does not have yet ("the document path
 * provided in the update expression is invalid"), alone or inside a transaction.
 */
export const isMissingPath = (error: unknown) =>
  (error instanceof Error && error.name === 'ValidationException') ||
  (error instanceof TransactionCanceledException &&
    (error.CancellationReasons ?? []).some((r) => r.Code === 'ValidationError'));

/** Strips key and storage attributes so the domain never sees them. */
export function strip<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, type: _type, timelineSk: _t, expiresAt: _e, waiterKeys: _w, ...rest } = item;
  return rest as T;
}

/** A contact's partition: its profile, timeline, enrollments and sends. */
export const contactPk = (id: string) => `CONTACT#${id}`;

/** The local secondary index that orders a contact's timeline events by `timelineSk`. */
export const TIMELINE_INDEX = 'timeline';

export interface TimelineRetention {
  /** Days a timeline event is kept after it happened (the table's TTL deletes it); unset: kept. */
  timelineDays?: number;
}

/**
 * A timeline event as stored: in its contact's partition, ordered by the `timeline` index, with
 * its expiry (epoch seconds) when the timeline is not kept for good. The expiry counts from when
 * the event happened, not from the write: a replay writes the same item again, unchanged, so it
 * makes no stream record and wakes no consumer.
 */
export const eventItem = (event: TimelineEvent, retention: TimelineRetention = {}) => ({
  pk: contactPk(event.contactId),
  sk: `EVENT#${event.eventId}`,
  type: 'event',
  timelineSk: `${event.at}#${event.eventId}`,
  ...event,
  ...(retention.timelineDays === undefined || KEPT_EVENTS.has(event.name)
    ? {}
    : { expiresAt: Math.floor(Date.parse(event.at) / 1000) + retention.timelineDays * 86_400 }),
});

/**
 * Kept whatever the timeline's retention: an erase finds the contacts merged into a person, and
 * the order references naming them, through these events.
 */
const KEPT_EVENTS: ReadonlySet<string> = new Set(['contact.merged', 'order.placed']);

/**
 * The catalog version: one number bumped in the same transaction as every change to what the
 * event path reads on each event (live journeys, segment rules). Warm functions keep those lists
 * and re-read them only when this number moved (one GetItem per invocation instead of a Query
 * per event).
 */
const CATALOG_VERSION_KEY = { pk: 'CATALOG', sk: 'VERSION' };

/** The transaction item that bumps the catalog version; add it to every catalog change. */
export const catalogBump = (tableName: string) => ({
  Update: {
    TableName: tableName,
    Key: CATALOG_VERSION_KEY,
    UpdateExpression: 'SET #type = :catalog ADD v :one',
    ExpressionAttributeNames: { '#type': 'type' },
    ExpressionAttributeValues: { ':catalog': 'catalog-version', ':one': 1 },
  },
});

/** Reads the catalog version (0 before the first change). */
export async function readCatalogVersion(db: DynamoDBDocumentClient, tableName: string): Promise<number> {
  const item = await pointReader(db, tableName)(CATALOG_VERSION_KEY);
  return typeof item?.v === 'number' ? item.v : 0;
}

type Key = { pk: string; sk: string };
type Item = Record<string, unknown>;

/**
 * Reads many items by key, consistently unless told otherwise, in as few round trips as
 * BatchGetItem allows (100 keys each, the chunks in parallel). Found items keyed `pk\nsk`.
 */
async function batchGetItems(
  db: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Key[],
  consistent: boolean,
): Promise<Map<string, Item>> {
  const found = new Map<string, Item>();
  const unique = [...new Map(keys.map((k) => [`${k.pk}\n${k.sk}`, k])).values()];
  const chunks: Key[][] = [];
  for (let i = 0; i < unique.length; i += 100) chunks.push(unique.slice(i, i + 100));
  await Promise.all(
    chunks.map(async (chunk) => {
      let request: Record<string, { Keys: Item[]; ConsistentRead: boolean }> | undefined = {
        [tableName]: { Keys: chunk.map(({ pk, sk }) => ({ pk, sk })), ConsistentRead: consistent },
      };
      while (request && Object.keys(request).length > 0) {
        const out = await db.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of out.Responses?.[tableName] ?? []) found.set(`${item.pk}\n${item.sk}`, item);
        request = out.UnprocessedKeys as typeof request;
      }
    }),
  );
  return found;
}

const readers = new WeakMap<DynamoDBDocumentClient, Map<string, (key: Key) => Promise<Item | undefined>>>();
const scopes = new WeakMap<DynamoDBDocumentClient, () => object | undefined>();

/**
 * Tells the point reads of `db` which unit of work each read belongs to (the runtime's current
 * invocation): only reads of the same one are sent together. Without it, any reads begun
 * together are.
 */
export function scopePointReads(db: DynamoDBDocumentClient, scope: () => object | undefined): void {
  scopes.set(db, scope);
}

/**
 * Consistent point reads of one table that start in the same turn of the event loop go out as
 * one BatchGetItem: independent lookups begun together (the catalog version and a contact's
 * identity, say) cost one request instead of one each. A read alone stays a GetItem.
 */
function pointReader(db: DynamoDBDocumentClient, tableName: string): (key: Key) => Promise<Item | undefined> {
  let byTable = readers.get(db);
  if (!byTable) {
    byTable = new Map();
    readers.set(db, byTable);
  }
  const existing = byTable.get(tableName);
  if (existing) return existing;
  type Pending = { key: Key; resolve(item: Item | undefined): void; reject(error: unknown): void };
  const UNSCOPED = {};
  const queues = new Map<object, Pending[]>();
  const flush = async (owner: object) => {
    const batch = queues.get(owner) ?? [];
    queues.delete(owner);
    try {
      if (batch.length === 1) {
        const [only] = batch as [(typeof batch)[number]];
        const out = await db.send(new GetCommand({ TableName: tableName, Key: only.key, ConsistentRead: true }));
        only.resolve(out.Item);
        return;
      }
      const found = await batchGetItems(
        db,
        tableName,
        batch.map((p) => p.key),
        true,
      );
      for (const p of batch) p.resolve(found.get(`${p.key.pk}\n${p.key.sk}`));
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  };
  const read = (key: Key) =>
    new Promise<Item | undefined>((resolve, reject) => {
      const owner = scopes.get(db)?.() ?? UNSCOPED;
      const queue = queues.get(owner) ?? [];
      queue.push({ key: { pk: key.pk, sk: key.sk }, resolve, reject });
      queues.set(owner, queue);
      if (queue.length === 1) setImmediate(() => void flush(owner));
    });
  byTable.set(tableName, read);
  return read;
}

type WriteRequest =
  | { PutRequest: { Item: Record<string, unknown> } }
  | { DeleteRequest: { Key: Record<string, unknown> } };

/**
 * Unconditional puts and deletes in one table, 25 to a BatchWriteItem request (one request for a
 * few items instead of one each). What DynamoDB leaves unprocessed (throttling) is sent again
 * after a short backoff, so every write is done when this resolves.
 */
export async function batchWrite(
  db: DynamoDBDocumentClient,
  tableName: string,
  writes: readonly WriteRequest[],
): Promise<void> {
  for (let i = 0; i < writes.length; i += 25) {
    let requests = writes.slice(i, i + 25);
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt >= 8) throw new Error(`DynamoDB left ${requests.length} writes unprocessed ${attempt} times`);
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
      const out = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: [...requests] } }));
      requests = (out.UnprocessedItems?.[tableName] ?? []) as WriteRequest[];
    }
  }
}

/** Unconditional puts, batched (see batchWrite). */
export const batchPut = (db: DynamoDBDocumentClient, tableName: string, items: readonly Record<string, unknown>[]) =>
  batchWrite(
    db,
    tableName,
    items.map((Item) => ({ PutRequest: { Item } })),
  );

export function tableOps(db: DynamoDBDocumentClient, tableName: string) {
  /** Runs a conditional write; false when its condition failed, any other error thrown. */
  const conditional = async (write: () => Promise<unknown>): Promise<boolean> => {
    try {
      await write();
      return true;
    } catch (error) {
      if (isConditionFailure(error) || firstConditionFailed(error)) return false;
      throw error;
    }
  };
  return {
    conditional,
    /** Puts an item, under `condition` when one is given; false when the condition failed. */
    put: (item: Record<string, unknown>, condition?: string, values?: Record<string, unknown>): Promise<boolean> =>
      conditional(() =>
        db.send(
          new PutCommand({
            TableName: tableName,
            Item: item,
            ConditionExpression: condition,
            ExpressionAttributeValues: values,
          }),
        ),
      ),
    async get<T>(pk: string, sk: string): Promise<T | undefined> {
      return strip<T>(await pointReader(db, tableName)({ pk, sk }));
    },
    /**
     * Runs a write that sets or adds inside the map `attribute` of the item at `key`. Items are
     * created with their maps; one written by an earlier version may have none, and DynamoDB
     * cannot create a map and a key inside it in one expression: then the map is created and
     * the write runs again.
     */
    async withMap<T>(key: { pk: string; sk: string }, attribute: string, write: () => Promise<T>): Promise<T> {
      try {
        return await write();
      } catch (error) {
        if (!isMissingPath(error)) throw error;
        await conditional(() =>
          db.send(
            new UpdateCommand({
              TableName: tableName,
              Key: key,
              UpdateExpression: 'SET #map = :empty',
              ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#map)',
              ExpressionAttributeNames: { '#map': attribute },
              ExpressionAttributeValues: { ':empty': {} },
            }),
          ),
        );
        return write();
      }
    },
    /**
     * Every item a key condition matches, storage attributes included, consistently; `filter`
     * (with its `names`) keeps only some, `projection` only some attributes of each.
     */
    async queryItems(
      condition: string,
      values: Record<string, unknown>,
      options: { filter?: string; names?: Record<string, string>; projection?: string } = {},
    ): Promise<Record<string, unknown>[]> {
      const items: Record<string, unknown>[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const out = await db.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: condition,
            ExpressionAttributeValues: values,
            FilterExpression: options.filter,
            ExpressionAttributeNames: options.names,
            ProjectionExpression: options.projection,
            ExclusiveStartKey: startKey,
            ConsistentRead: true,
          }),
        );
        items.push(...(out.Items ?? []));
        startKey = out.LastEvaluatedKey;
      } while (startKey);
      return items;
    },
    /**
     * Reads many items by key in as few round trips as BatchGetItem allows (100 keys each, the
     * chunks in parallel), consistently unless told otherwise. Found items keyed `pk\nsk`.
     */
    async batchGet(keys: readonly Key[], consistent = true): Promise<Map<string, Item>> {
      return batchGetItems(db, tableName, keys, consistent);
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
