import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { TimelineEvent } from '#domain/contact.ts';
import { lambda } from '#runtime/http.ts';
import { metrics } from '#runtime/observability.ts';
import { eachStreamGroup } from '#runtime/stream.ts';
import { journeyDeps } from '#runtime/wiring/journey-deps.ts';
import { type ContactChange, refreshContact } from '#services/contact-refresh.ts';
import { routeEvent } from '#services/journey-routing.ts';
import { feedsScores } from '#services/scores.ts';
import { changeOfEvent } from '#services/segments.ts';

/**
 * Stream consumer for timeline events, a contact's events of a batch at a time: recomputes the
 * contact's stored scores when an event feeds them and re-evaluates the segments whose rules
 * count those events (or read the new scores), reading the contact once; a membership event
 * (`segment.entered` / `segment.exited`) is routed to journeys instead (segment triggers, goals,
 * exit rules). Both are idempotent, so a replayed record changes nothing.
 */
/**
 * A contact's records reach this consumer in stream order, and its `contact.created` is its first
 * event: a group holding it holds every event the contact has so far, so they need not be read.
 * (A merge brings other events in: then they are read.)
 */
const wholeHistory = (events: readonly TimelineEvent[]) =>
  events.some((e) => e.name === 'contact.created') && !events.some((e) => e.name === 'contact.merged')
    ? events
    : undefined;

export const handler = lambda<DynamoDBStreamEvent, DynamoDBBatchResponse>((event) =>
  eachStreamGroup<TimelineEvent>(event, 'event', 'updating segments failed', async (events) => {
    const changes: ContactChange[] = [];
    for (const timelineEvent of events) {
      if (timelineEvent.name.startsWith('segment.')) {
        await routeEvent(journeyDeps, timelineEvent, { createdContact: false });
        continue;
      }
      const change = changeOfEvent(timelineEvent);
      if (change) changes.push(change);
    }
    const contactId = events[0]?.contactId;
    const scores = events.some((e) => !e.name.startsWith('segment.') && feedsScores(e));
    if (!contactId || (changes.length === 0 && !scores)) return;
    const result = await refreshContact(journeyDeps, contactId, changes, { scores, history: wholeHistory(events) });
    if (result.entered.length > 0) metrics.addMetric('SegmentEntries', 'Count', result.entered.length);
    if (result.exited.length > 0) metrics.addMetric('SegmentExits', 'Count', result.exited.length);
  }),
);
