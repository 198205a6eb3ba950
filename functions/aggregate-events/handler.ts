import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { TimelineEvent } from '#domain/contact.ts';
import { aggregates } from '#runtime/app.ts';
import { lambda } from '#runtime/http.ts';
import { metrics } from '#runtime/observability.ts';
import { eachStreamItem } from '#runtime/stream.ts';
import { aggregateEvent } from '#services/aggregates.ts';

/**
 * Stream consumer for timeline events: applies each one to the dashboard's counters exactly
 * once (a replayed stream record answers "duplicate" and adds nothing).
 */
export const handler = lambda<DynamoDBStreamEvent, DynamoDBBatchResponse>((event) =>
  eachStreamItem<TimelineEvent>(event, 'event', 'aggregating an event failed', async (timelineEvent) => {
    if ((await aggregateEvent(aggregates, timelineEvent)) === 'applied')
      metrics.addMetric('EventsAggregated', 'Count', 1);
  }),
);
