import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { logger } from './observability.ts';

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
    if (type !== itemType) continue;
    try {
      await apply(item as T);
    } catch (error) {
      logger.error(failure, { pk, error });
      batchItemFailures.push({ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' });
    }
  }
  return { batchItemFailures };
}
