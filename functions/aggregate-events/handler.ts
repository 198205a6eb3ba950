import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { TimelineEvent } from '#domain/contact.ts';
import { aggregates } from '#runtime/app.ts';
import { lambda } from '#runtime/http.ts';
import { logger, metrics } from '#runtime/observability.ts';
import { aggregateEvent } from '#services/aggregates.ts';

/**
 * Stream consumer for timeline events: applies each one to the dashboard's counters exactly
 * once (a replayed stream record answers "duplicate" and adds nothing).
 */
export const handler = lambda<DynamoDBStreamEvent, DynamoDBBatchResponse>(async (event) => {
  const batchItemFailures: DynamoDBBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    const image = record.dynamodb?.NewImage;
    if (!image) continue;
    const item = unmarshall(image as unknown as Record<string, AttributeValue>);
    if (item.type !== 'event' || typeof item.eventId !== 'string') continue;
    try {
      const { pk: _pk, sk: _sk, type: _type, timelineSk: _t, ...timelineEvent } = item;
      const outcome = await aggregateEvent(aggregates, timelineEvent as TimelineEvent);
      if (outcome === 'applied') metrics.addMetric('EventsAggregated', 'Count', 1);
    } catch (error) {
      logger.error('aggregating an event failed', { eventId: item.eventId, error });
      batchItemFailures.push({ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' });
    }
  }
  return { batchItemFailures };
});
