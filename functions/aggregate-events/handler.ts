import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { TimelineEvent } from '#core/contact.ts';
import { sendVisits } from '#journeys/visits.ts';
import { lambda } from '#platform/http.ts';
import { metrics } from '#platform/observability.ts';
import { streamItems } from '#platform/stream.ts';
import { aggregates } from '#platform/wiring/aggregates.ts';
import { versions } from '#platform/wiring/versions.ts';
import { aggregateEvents } from '#reports/aggregates.ts';
import type { InboxRecord } from '#sources/model.ts';

/**
 * Stream consumer for timeline events and new inbox records: applies a batch's events to the
 * dashboard's counters, counts its deliveries on their sources and the journey sends' node visits
 * (from their `email.sent`, `email.skipped` or `email.deferred`), exactly once, together (one
 * read of the contacts' states, one transaction per hundred items); a replayed stream record adds
 * nothing (see AggregateStore). Counters are shared by every event, so a failure fails
 * the whole batch, which the event source mapping retries: the events applied before it are
 * skipped then.
 */
export const handler = lambda<DynamoDBStreamEvent, DynamoDBBatchResponse>(async (event) => {
  const events = streamItems<TimelineEvent>(event, 'event');
  const { applied } = await aggregateEvents(
    aggregates,
    events,
    streamItems<InboxRecord>(event, 'inbox'),
    await sendVisits(versions, events),
  );
  if (applied > 0) metrics.addMetric('EventsAggregated', 'Count', applied);
  return { batchItemFailures: [] };
});
