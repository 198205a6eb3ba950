import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { privacyRequestKey } from './dynamo-privacy.ts';
import type { ItemRef } from './model.ts';

type Action = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** One item's removal: its delete (only while it exists) and what must change with it. */
interface Unit {
  item: ItemRef;
  /** A segment member's removal takes one off the segment's count, as leaving does. */
  adjust?: Action;
}

/** Actions per transaction (DynamoDB allows 100): the deletes and their adjustments, then the count. */
const MAX_ACTIONS = 99;
const CONFLICT_ATTEMPTS = 8;

/**
 * Removes items, counting each into the request's `removed` map in the same transaction as its
 * delete: a delete holds only while the item exists, so an item removed before (a retried or a
 * concurrent run of the same erase) is neither removed nor counted twice, and a segment's member
 * count goes down exactly once per member removed. Returns how many items this call removed.
 */
export function createRemoval(db: DynamoDBDocumentClient, tableName: string) {
  const unitOf = (item: ItemRef): Unit => {
    if (item.type !== 'segment-member') return { item };
    const segmentId = item.pk.slice('SEGMENT#'.length);
    return {
      item,
      adjust: {
        Update: {
          TableName: tableName,
          Key: { pk: 'SEGMENTS', sk: segmentId },
          UpdateExpression: 'ADD members :minus',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':minus': -1 },
        },
      },
    };
  };

  /** One transaction's worth of units, applied; answers how many were removed. */
  const applyChunk = async (requestId: string, chunk: Unit[]): Promise<number | 'request-finished'> => {
    let units = chunk;
    for (let attempt = 1; units.length > 0; attempt++) {
      const actions: { action: Action; unit: Unit; role: 'delete' | 'adjust' }[] = [];
      for (const unit of units) {
        actions.push({
          unit,
          role: 'delete',
          action: {
            Delete: {
              TableName: tableName,
              Key: { pk: unit.item.pk, sk: unit.item.sk },
              ConditionExpression: 'attribute_exists(pk)',
            },
          },
        });
        if (unit.adjust) actions.push({ unit, role: 'adjust', action: unit.adjust });
      }
      const counts = new Map<string, number>();
      for (const { item } of units) counts.set(item.type, (counts.get(item.type) ?? 0) + 1);
      const kinds = [...counts];
      const count: Action = {
        Update: {
          TableName: tableName,
          Key: privacyRequestKey(requestId),
          UpdateExpression: `ADD ${kinds.map((_, i) => `#r.#k${i} :n${i}`).join(', ')}`,
          ConditionExpression: '#s = :running',
          ExpressionAttributeNames: {
            '#r': 'removed',
            '#s': 'status',
            ...Object.fromEntries(kinds.map(([kind], i) => [`#k${i}`, kind])),
          },
          ExpressionAttributeValues: {
            ':running': 'running',
            ...Object.fromEntries(kinds.map(([, n], i) => [`:n${i}`, n])),
          },
        },
      };
      try {
        await db.send(new TransactWriteCommand({ TransactItems: [...actions.map((a) => a.action), count] }));
        return units.length;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        const failed = (i: number) => reasons[i]?.Code === 'ConditionalCheckFailed';
        // The request is done (another run of it finished): nothing more is counted there.
        if (failed(actions.length)) return 'request-finished';
        const gone = new Set(actions.filter((a, i) => a.role === 'delete' && failed(i)).map((a) => a.unit));
        const noSegment = new Set(actions.filter((a, i) => a.role === 'adjust' && failed(i)).map((a) => a.unit));
        if (gone.size > 0 || noSegment.size > 0) {
          // Already removed: left out. A member of a segment that is no longer there: no count to adjust.
          units = units.filter((u) => !gone.has(u)).map((u) => (noSegment.has(u) ? { item: u.item } : u));
          continue;
        }
        // Another transaction touched one of these items (or the request's counts): try again soon.
        if (!reasons.some((r) => r.Code === 'TransactionConflict') || attempt >= CONFLICT_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20 * attempt + Math.random() * 50));
      }
    }
    return 0;
  };

  return async function removeItems(requestId: string, items: readonly ItemRef[]): Promise<number> {
    const unique = [...new Map(items.map((i) => [`${i.pk}\n${i.sk}`, i])).values()];
    const chunks: Unit[][] = [];
    let current: Unit[] = [];
    let size = 0;
    for (const unit of unique.map(unitOf)) {
      const actions = unit.adjust ? 2 : 1;
      if (size + actions > MAX_ACTIONS) {
        chunks.push(current);
        current = [];
        size = 0;
      }
      current.push(unit);
      size += actions;
    }
    if (current.length > 0) chunks.push(current);
    let removed = 0;
    for (const chunk of chunks) {
      const outcome = await applyChunk(requestId, chunk);
      if (outcome === 'request-finished') break;
      removed += outcome;
    }
    return removed;
  };
}
