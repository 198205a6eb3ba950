import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { TimelineEvent } from '#domain/contact.ts';
import type { InboxRecord } from '#ports/store.ts';
import { lambda } from '#runtime/http.ts';
import { metrics } from '#runtime/observability.ts';
import { streamItems } from '#runtime/stream.ts';
import { aggregates } from '#runtime/wiring/aggregates.ts';
import { versions } from '#runtime/wiring/versions.ts';
import { aggregateEvents } from '#services/aggregates.ts';
import { sendVisits } from '#services/journey-visits.ts';

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
