import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { Contact, TimelineEvent } from '#core/contact.ts';
import { type ContactChange, refreshContact } from '#journeys/contact-refresh.ts';
import { latestEventTimes, routeEvent } from '#journeys/routing.ts';
import { armContact } from '#journeys/scheduler.ts';
import { lambda } from '#platform/http.ts';
import { metrics } from '#platform/observability.ts';
import { eachStreamGroup } from '#platform/stream.ts';
import { journeyDeps } from '#platform/wiring/journey-deps.ts';
import { feedsScores, scoresStale } from '#scoring/rescore.ts';
import { changeOfEvent } from '#segments/segments.ts';

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
 * The profile version this warm function last handled per contact, so the writes that leave the
 * version alone (an event's time, the scores themselves) and replays do no work.
 */
const handled = new Map<string, string>();
const HANDLED_MAX = 10_000;
const profileMark = (c: Contact) => `${c.version ?? 0}|${c.mergedInto ?? ''}`;
const remember = (contact: Contact) => {
  if (handled.size >= HANDLED_MAX) handled.delete(handled.keys().next().value as string);
  handled.set(contact.contactId, profileMark(contact));
};

/**
 * Refreshes what follows from a contact's records, in three named steps below. Stream consumer for what a contact does and what is changed on it, a contact's records of a
 * batch at a time (the batching window gathers an event with its follow-ups: the journey step
 * that updates the profile, the send):
 * - a new contact (its first write) has its date triggers armed (birthdays, renewals), and so
 *   has a contact whose profile changed (whatever changed it: webhook, import, API, a journey step);
 * - the contact's stored scores are recomputed when an event feeds them or the profile changed,
 *   and the segments whose rules count those events, read the profile or read the new scores are
 *   re-evaluated, reading the contact once, or not at all when the batch holds its creation (its
 *   image and every event it has so far);
 * - a merged contact leaves every segment (the survivor carries its events);
 * - a membership event (`segment.entered` / `segment.exited`) is routed to journeys (segment
 *   triggers, goals, exit rules).
 * All of it is idempotent, so a replayed record changes nothing. New segments and rule changes
 * reach existing contacts through their own scans, and new date-trigger journeys through their
 * publish-time backfill.
 */
/** What one contact's records of a batch hold. */
interface ContactBatch {
  events: TimelineEvent[];
  /** The contact's first write, when the batch holds it. */
  created?: Contact;
  /** The newest image of a later write, when it changed the profile's version (or merged it). */
  modified?: Contact;
}

function readBatch(items: readonly (TimelineEvent | Contact)[], types: readonly string[], changes: readonly string[]) {
  const events = items.filter((_, i) => types[i] === 'event') as TimelineEvent[];
  const created = items.find((_, i) => types[i] === 'contact' && changes[i] === 'INSERT') as Contact | undefined;
  const latest = items.findLast((_, i) => types[i] === 'contact' && changes[i] === 'MODIFY') as Contact | undefined;
  const modified =
    latest && handled.get(latest.contactId) !== profileMark(latest) && latest.version !== created?.version
      ? latest
      : undefined;
  return { events, created, modified } satisfies ContactBatch;
}

/** Step 1: a new contact, or one whose profile changed, has its date triggers armed. */
async function armDateTriggers({ created, modified }: ContactBatch) {
  if (created) await armContact(journeyDeps, created);
  if (modified) await armContact(journeyDeps, modified);
}

/** Step 2: membership events (`segment.entered` / `segment.exited`) are routed to journeys. */
async function routeMembershipChanges({ events }: ContactBatch) {
  for (const timelineEvent of events) {
    if (timelineEvent.name.startsWith('segment.'))
      await routeEvent(journeyDeps, timelineEvent, { createdContact: false });
  }
}

/**
 * Step 3: the contact's stored scores are recomputed and its segments re-evaluated, with the
 * latest event times kept in the same write; a merged contact leaves every segment.
 */
async function refreshScoresAndSegments({ events, created, modified }: ContactBatch) {
  const found: ContactChange[] = [];
  for (const timelineEvent of events) {
    if (timelineEvent.name.startsWith('segment.')) continue;
    const change = changeOfEvent(timelineEvent);
    if (change) found.push(change);
  }
  if (modified?.mergedInto) {
    await refreshContact(journeyDeps, modified.contactId, [{ kind: 'all' }], { scores: false });
    return;
  }
  const profileChanged = modified !== undefined && scoresStale(modified);
  if (profileChanged) found.push({ kind: 'profile' });
  const contactId = events[0]?.contactId ?? modified?.contactId;
  const scores = profileChanged || events.some((e) => !e.name.startsWith('segment.') && feedsScores(e));
  // The times inactivity triggers read: kept with the scores when they are written. A new
  // contact was created with its first event's.
  const lastEvents = latestEventTimes(
    created ? events.filter((e) => (created.lastEventAt?.[e.name] ?? '') < e.at) : events,
  );
  let lastEventsKept = Object.keys(lastEvents).length === 0;
  if (contactId && (found.length > 0 || scores)) {
    const history = modified ? undefined : wholeHistory(events);
    const result = await refreshContact(journeyDeps, contactId, found, {
      scores,
      history,
      ...(history && created ? { created } : {}),
      ...(lastEventsKept ? {} : { lastEvents }),
    });
    lastEventsKept ||= result.lastEventsKept === true;
    if (result.entered.length > 0) metrics.addMetric('SegmentEntries', 'Count', result.entered.length);
    if (result.exited.length > 0) metrics.addMetric('SegmentExits', 'Count', result.exited.length);
  }
  if (contactId && !lastEventsKept) await journeyDeps.store.touchLastEvents(contactId, lastEvents);
}

export const handler = lambda<DynamoDBStreamEvent, DynamoDBBatchResponse>((event) =>
  eachStreamGroup<TimelineEvent | Contact>(
    event,
    ['event', 'contact'],
    'refreshing contacts failed',
    async (items, types, changes) => {
      const batch = readBatch(items, types, changes);
      await armDateTriggers(batch);
      await routeMembershipChanges(batch);
      await refreshScoresAndSegments(batch);
      if (batch.modified) remember(batch.modified);
    },
  ),
);
