import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { logger } from './observability.ts';

/** The new images of some item types, storage attributes stripped, with their sequence numbers. */
function* itemsOf<T>(
  event: DynamoDBStreamEvent,
  itemTypes: string | readonly string[],
): Generator<{ item: T; type: string; pk: unknown; seq: string; change: string }> {
  const wanted = typeof itemTypes === 'string' ? [itemTypes] : itemTypes;
  for (const record of event.Records) {
    const image = record.dynamodb?.NewImage;
    if (!image) continue;
    const {
      pk,
      sk: _sk,
      type,
      timelineSk: _t,
      ...item
    } = unmarshall(image as unknown as Record<string, AttributeValue>);
    if (!wanted.includes(type)) continue;
    yield { item: item as T, type, pk, seq: record.dynamodb?.SequenceNumber ?? '', change: record.eventName ?? '' };
  }
}

/** A batch's new images of one item type, storage attributes stripped, in stream order. */
export const streamItems = <T>(event: DynamoDBStreamEvent, itemType: string): T[] =>
  [...itemsOf<T>(event, itemType)].map(({ item }) => item);

/**
 * Applies `apply` to each stream record's new image of one item type, storage attributes
 * stripped. A record that fails is reported as a batch item failure (retried, then dead-lettered)
 * without stopping the others.
 */
export async function eachStreamItem<T>(
  event: DynamoDBStreamEvent,
  itemType: string,
  failure: string,
  apply: (item: T) => Promise<void>,
): Promise<DynamoDBBatchResponse> {
  const batchItemFailures: DynamoDBBatchResponse['batchItemFailures'] = [];
  for (const { item, pk, seq } of itemsOf<T>(event, itemType)) {
    try {
      await apply(item);
    } catch (error) {
      logger.error(failure, { pk, error });
      batchItemFailures.push({ itemIdentifier: seq });
    }
  }
  return { batchItemFailures };
}

/**
 * Like `eachStreamItem`, but hands over a batch's items grouped by partition key (a contact's
 * events together, in stream order), so the work for one contact is done once per batch however
 * many of its records came; `types` says each item's type and `changes` each record's kind
 * (`INSERT`, `MODIFY`). A group that fails reports all its records.
 */
export async function eachStreamGroup<T>(
  event: DynamoDBStreamEvent,
  itemTypes: string | readonly string[],
  failure: string,
  apply: (items: T[], types: string[], changes: string[]) => Promise<void>,
): Promise<DynamoDBBatchResponse> {
  const groups = new Map<unknown, { items: T[]; types: string[]; changes: string[]; seqs: string[] }>();
  for (const { item, type, pk, seq, change } of itemsOf<T>(event, itemTypes)) {
    const group = groups.get(pk) ?? { items: [], types: [], changes: [], seqs: [] };
    group.items.push(item);
    group.types.push(type);
    group.changes.push(change);
    group.seqs.push(seq);
    groups.set(pk, group);
  }
  const batchItemFailures: DynamoDBBatchResponse['batchItemFailures'] = [];
  for (const [pk, group] of groups) {
    try {
      await apply(group.items, group.types, group.changes);
    } catch (error) {
      logger.error(failure, { pk, error });
      for (const itemIdentifier of group.seqs) batchItemFailures.push({ itemIdentifier });
    }
  }
  return { batchItemFailures };
}
