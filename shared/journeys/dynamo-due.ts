import { DeleteCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { batchPut, batchWrite, tableOps } from '#platform/dynamo-table.ts';
import type { DueItem } from './model.ts';
import type { DueStore } from './store.ts';

const hourOf = (iso: string) => iso.slice(0, 13);
const DUE_HOURS = 'DUE-HOURS';
const HOUR_MS = 3_600_000;
/** At most this many listed hours remembered (a year of hours is 8,760). */
const LISTED_AHEAD_MAX = 10_000;

/** A journey's item is keyed by its trigger; a contact's score and segment items by their kind too. */
const legacySk = (i: DueItem) => `${i.dueAt}#${i.journeyId}#${i.contactId}#${i.trigger}`;
const dueSk = (i: DueItem) => (i.journeyId ? legacySk(i) : `${legacySk(i)}#${i.kind}`);
const hourKey = (hour: string) => ({ pk: DUE_HOURS, sk: hour });

export interface DynamoDueQueue extends Pick<DueStore, 'putDue' | 'listDue' | 'deleteDue' | 'nextDueAt'> {
  /** Due items with other unconditional puts in one request (the contact store's event writes). */
  putDueWith(items: readonly DueItem[], alongside: readonly Record<string, unknown>[]): Promise<void>;
}

/**
 * The time-trigger queue on DynamoDB: items in hour buckets (DUE#<hour>), and the hours whose
 * buckets hold items listed in DUE-HOURS, so a sweep reads only those.
 */
export function createDynamoDueQueue(db: DynamoDBDocumentClient, tableName: string): DynamoDueQueue {
  const { get, put, queryPrefix } = tableOps(db, tableName);
  /** The hours listed in DUE-HOURS, oldest first, up to `last` when given. */
  async function* dueHours(last?: string): AsyncGenerator<string> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await db.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: last ? 'pk = :pk AND sk <= :last' : 'pk = :pk',
          ExpressionAttributeValues: last ? { ':pk': DUE_HOURS, ':last': last } : { ':pk': DUE_HOURS },
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
          Limit: 100,
        }),
      );
      for (const item of out.Items ?? []) yield String(item.sk);
      startKey = out.LastEvaluatedKey;
    } while (startKey);
  }
  const bucket = (hour: string, limit: number) => queryPrefix<DueItem>(`DUE#${hour}`, '', limit);
  /**
   * Unlists an hour whose bucket was found empty. An item put meanwhile is put before its writer
   * checks the hour's entry, so either that writer sees the entry gone and lists the hour again,
   * or the second look here (after the delete) finds the item and does.
   */
  const unlistHour = async (hour: string) => {
    listedAhead.delete(hour);
    await db.send(new DeleteCommand({ TableName: tableName, Key: hourKey(hour) }));
    if ((await bucket(hour, 1)).length > 0) await put({ ...hourKey(hour), type: 'due-hour' });
  };
  /**
   * Hours this store saw listed while they were more than an hour ahead. The sweep unlists an
   * hour only once it is empty and the sweep's clock has reached it (`listDue`), so an hour still
   * more than an hour ahead of the clock is still listed: a put there need not look at DUE-HOURS
   * again (most due items are days or months ahead: inactivity, segment windows, scores).
   * `nextDueAt` (the simulator's, on the memory store) unlists empty hours ahead too, and forgets
   * them here.
   */
  const listedAhead = new Set<string>();
  const aheadOfClock = (hour: string) => Date.parse(`${hour}:00:00.000Z`) - Date.now() > HOUR_MS;
  /**
   * Queues due items, with `alongside` (other unconditional puts, an event and its order
   * reference) in the same request when there are several.
   */
  const putDueWith = async (items: readonly DueItem[], alongside: readonly Record<string, unknown>[]) => {
    const dueItem = (item: DueItem) => ({ pk: `DUE#${hourOf(item.dueAt)}`, sk: dueSk(item), type: 'due', ...item });
    // One item per key (a batch may not name a key twice).
    const unique = [...new Map(items.map((item) => [`${hourOf(item.dueAt)}\n${dueSk(item)}`, item])).values()];
    const writes = [...alongside, ...unique.map(dueItem)];
    if (writes.length === 1) await put(writes[0] as Record<string, unknown>);
    else if (writes.length > 1) await batchPut(db, tableName, writes);

    // After the items, so an hour unlisted as empty before an item landed is listed again. The
    // hours' entries are read together (one request).
    await Promise.all(
      [...new Set(items.map((item) => hourOf(item.dueAt)))].map(async (hour) => {
        if (listedAhead.has(hour) && aheadOfClock(hour)) return;
        if (!(await get(DUE_HOURS, hour))) await put({ ...hourKey(hour), type: 'due-hour' });
        if (!aheadOfClock(hour)) return;
        if (listedAhead.size >= LISTED_AHEAD_MAX) listedAhead.delete(listedAhead.values().next().value as string);
        listedAhead.add(hour);
      }),
    );
  };

  return {
    putDueWith,
    async putDue(input) {
      await putDueWith(Array.isArray(input) ? input : [input as DueItem], []);
    },
    async listDue(now, limit) {
      // Every listed hour up to now, however far back or apart: emptied hours are unlisted as
      // they are met, so the listed ones up to now are few.
      const items: DueItem[] = [];
      for await (const hour of dueHours(hourOf(now))) {
        if (items.length >= limit) break;
        const found = await bucket(hour, limit - items.length);
        if (found.length === 0) await unlistHour(hour);
        // A bucket is in time order: only the current hour's holds items not yet due.
        items.push(...found.filter((d) => d.dueAt <= now));
      }
      return items;
    },
    async deleteDue(item) {
      const pk = `DUE#${hourOf(item.dueAt)}`;
      if (item.journeyId) {
        await db.send(new DeleteCommand({ TableName: tableName, Key: { pk, sk: dueSk(item) } }));
        return;
      }
      // A score or segment item queued before its kind was in its key has the journey's form.
      await batchWrite(
        db,
        tableName,
        [dueSk(item), legacySk(item)].map((sk) => ({ DeleteRequest: { Key: { pk, sk } } })),
      );
    },
    async nextDueAt() {
      for await (const hour of dueHours()) {
        const [first] = await bucket(hour, 1);
        if (first) return first.dueAt;
        await unlistHour(hour);
      }
      return undefined;
    },
  };
}
