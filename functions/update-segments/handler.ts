import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { Contact, TimelineEvent } from '#domain/contact.ts';
import { lambda } from '#runtime/http.ts';
import { metrics } from '#runtime/observability.ts';
import { eachStreamGroup } from '#runtime/stream.ts';
import { journeyDeps } from '#runtime/wiring/journey-deps.ts';
import { type ContactChange, refreshContact } from '#services/contact-refresh.ts';
import { routeEvent } from '#services/journey-routing.ts';
import { armContact } from '#services/journey-scheduler.ts';
import { feedsScores } from '#services/scores.ts';
import { changeOfEvent } from '#services/segments.ts';

/**
 * A contact's records reach this consumer in stream order, and its `contact.created` is its first
 * event: a group holding it holds every event the contact has so far, so they need not be read.
 * (A merge brings other events in: then they are read.)
 */
const wholeHistory = (events: readonly TimelineEvent[]) =>
  events.some((e) => e.name === 'contact.created') && !events.some((e) => e.name === 'contact.merged')
    ? events
    : undefined;

/**
 * Stream consumer for timeline events and new contacts, a contact's records of a batch at a
 * time:
 * - a new contact (its first write) has its date triggers armed (birthdays, renewals);
 * - the contact's stored scores are recomputed when an event feeds them, and the segments whose
 *   rules count those events (or read the new scores) re-evaluated, reading the contact once, or
 *   not at all when the batch holds its creation (its image and every event it has so far);
 * - a membership event (`segment.entered` / `segment.exited`) is routed to journeys (segment
 *   triggers, goals, exit rules).
 * All of it is idempotent, so a replayed record changes nothing. Later writes of a contact go to
 * `watch-contacts`.
 */
export const handler = lambda<DynamoDBStreamEvent, DynamoDBBatchResponse>((event) =>
  eachStreamGroup<TimelineEvent | Contact>(
    event,
    ['event', 'contact'],
    'updating segments failed',
    async (items, types) => {
      const events = items.filter((_, i) => types[i] === 'event') as TimelineEvent[];
      const created = items.find((_, i) => types[i] === 'contact') as Contact | undefined;
      if (created) await armContact(journeyDeps, created);
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
      const history = wholeHistory(events);
      const result = await refreshContact(journeyDeps, contactId, changes, {
        scores,
        history,
        ...(history && created ? { created } : {}),
      });
      if (result.entered.length > 0) metrics.addMetric('SegmentEntries', 'Count', result.entered.length);
      if (result.exited.length > 0) metrics.addMetric('SegmentExits', 'Count', result.exited.length);
    },
  ),
);
