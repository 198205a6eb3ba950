import type { ContactStore } from '#contacts/store.ts';
import type { Enrollment, TimelineEvent } from '#core/contact.ts';
import type { SegmentStore } from '#segments/store.ts';
import { CANONICAL_EVENT_NAMES } from '#sources/providers/canonical-data.ts';
import { exitConditionHolding, matchesFilters, readPath } from '#workflows/conditions.ts';
import { inactivityDue } from '#workflows/schedule.ts';
import type { Trigger } from '#workflows/trigger.schema.ts';
import { atOrAfter, entryTime, finishEnrollment, loadFacts, triggerFact, versionsOf } from './context.ts';
import { convertOn, goalConverts } from './conversion.ts';
import { type EntryDeps, enrollContact, liveJourneys } from './enroll-contact.ts';
import type { DueItem, EventWaiter } from './model.ts';
import type { DueStore, EnrollmentStore, JourneyStore, WaiterStore } from './store.ts';

/**
 * What happens to journeys when an event lands on a contact's timeline, in this order:
 *   1. goals convert, and exit rules end active enrollments (their executions are stopped);
 *   2. executions waiting for this event (wait-for-event) are resumed;
 *   3. the contact enters each live journey whose trigger matches, by its entry rules;
 *   4. inactivity triggers on this event are (re)armed.
 * Every write is keyed by the event or the enrollment, so processing the same event twice
 * changes nothing.
 */

/** What routing an event needs: every store it reads or writes, on top of what entering needs. */
export interface RoutingDeps extends EntryDeps {
  store: ContactStore & EnrollmentStore & JourneyStore & WaiterStore & DueStore & Pick<SegmentStore, 'listMemberships'>;
}

export interface RouteResult {
  enrollments: string[];
  resumed: string[];
  exited: string[];
  converted: string[];
}

const KEPT_TIMES: ReadonlySet<string> = new Set(CANONICAL_EVENT_NAMES);

/**
 * The latest time of each event name whose time is kept on the contact (`lastEventAt`, which
 * inactivity triggers read): the business events sources send, and segment entries and exits.
 * refresh-contact keeps them for a contact's events of a batch, in the write of its scores.
 */
export function latestEventTimes(events: readonly Pick<TimelineEvent, 'name' | 'at'>[]): Record<string, string> {
  const latest: Record<string, string> = {};
  for (const { name, at } of events) {
    if (!KEPT_TIMES.has(name) && !name.startsWith('segment.')) continue;
    if (!latest[name] || latest[name] < at) latest[name] = at;
  }
  return latest;
}

export async function routeEvent(
  deps: RoutingDeps,
  event: TimelineEvent,
  options: {
    createdContact: boolean;
    /**
     * The contact was created just now by this event (not on a replay): it was created with this
     * event as its last, and has no enrollments or waits to look up.
     */
    freshContact?: boolean;
    /** The inactivity triggers this event re-arms were queued with it (see `inactivityDues`). */
    inactivityArmed?: boolean;
  },
): Promise<RouteResult> {
  const result: RouteResult = { enrollments: [], resumed: [], exited: [], converted: [] };
  const fresh = options.freshContact === true;
  if (!fresh) {
    // (The event's time is kept on the contact by refresh-contact, with its scores.)
    // The contact's enrollments and its waits for this event, in one request.
    const { enrollments, waiters } = await deps.store.listEnrollmentsAndWaiters(event.contactId, event.name);
    // Goals and exits first: a conversion is recorded before a resumed wait can reach a goal
    // node, and an exit stops the execution before a wait could resume it.
    await applyGoalsAndExits(deps, event, enrollments, result);
    result.resumed = await resumeWaiters(deps, event, waiters, enrollments);
  }

  for (const journey of await liveJourneys(deps.store)) {
    for (const trigger of journey.live.triggers) {
      if (trigger.type === 'event') {
        if (trigger.event !== event.name || !matchesFilters(event.data, trigger.where)) continue;
        if (trigger.newContactsOnly && !options.createdContact) continue;
        const correlation = trigger.correlationKey ? readPath(event.data, trigger.correlationKey) : undefined;
        const outcome = await enrollContact(
          deps,
          journey,
          event.contactId,
          {
            type: 'event',
            eventId: event.eventId,
            name: event.name,
            at: event.at,
            ...(trigger.correlationKey
              ? { correlation: correlation === undefined || correlation === null ? null : String(correlation) }
              : {}),
          },
          { fresh },
        );
        if (outcome.outcome === 'enrolled') result.enrollments.push(outcome.enrollmentId);
      } else if (trigger.type === 'segment') {
        const wanted = trigger.on === 'enter' ? 'segment.entered' : 'segment.exited';
        if (event.name !== wanted || event.data.segmentId !== trigger.segment) continue;
        const outcome = await enrollContact(deps, journey, event.contactId, {
          type: 'segment',
          eventId: event.eventId,
          name: event.name,
          at: event.at,
        });
        if (outcome.outcome === 'enrolled') result.enrollments.push(outcome.enrollmentId);
      }
    }
  }
  if (!options.inactivityArmed) {
    const dues = await inactivityDues(deps.store, event, deps.clock.now());
    if (dues.length > 0) await deps.store.putDue(dues);
  }
  return result;
}

const laterOf = (a: Date, b: Date) => (a.getTime() > b.getTime() ? a : b);

/** The time-trigger item an inactivity trigger gets from an event it watches: due when the silence would be long enough. */
function inactivityItem(
  journeyId: string,
  trigger: Extract<Trigger, { type: 'inactivity' }>,
  index: number,
  event: TimelineEvent,
  now: Date,
): DueItem {
  return {
    dueAt: laterOf(inactivityDue(trigger, event.at), now).toISOString(),
    kind: 'inactivity',
    journeyId,
    contactId: event.contactId,
    trigger: index,
    basis: event.at,
  };
}

/**
 * The inactivity triggers an event (re)arms, as due items: so the event's writer can queue them
 * with the event (one request), and tell routing they are (`inactivityArmed`).
 */
export async function inactivityDues(
  store: Pick<JourneyStore, 'listJourneys'>,
  event: TimelineEvent,
  now: Date,
): Promise<DueItem[]> {
  return (await liveJourneys(store)).flatMap((journey) =>
    journey.live.triggers.flatMap((trigger, index) =>
      trigger.type === 'inactivity' && trigger.event === event.name
        ? [inactivityItem(journey.journeyId, trigger, index, event, now)]
        : [],
    ),
  );
}

/** Resumes the executions waiting for this event; each waiter is used once. */
async function resumeWaiters(
  deps: RoutingDeps,
  event: TimelineEvent,
  waiters: readonly EventWaiter[],
  enrollments: readonly Enrollment[],
): Promise<string[]> {
  const resumed: string[] = [];
  for (const waiter of waiters) {
    if (!atOrAfter(event.at, waiter.since)) continue;
    if (!matchesFilters(event.data, waiter.where)) continue;
    if (waiter.correlation) {
      const value = readPath(event.data, waiter.correlation.key);
      if (waiter.correlation.value === null || value === undefined || String(value) !== waiter.correlation.value)
        continue;
    }
    // The event that enrolled the contact never ends its own wait (registerWait skips it too):
    // routing it again (a retried record, the same order under a second topic) must change nothing.
    const enrollment =
      enrollments.find((e) => e.enrollmentId === waiter.enrollmentId) ??
      (await deps.store.getEnrollment(event.contactId, waiter.enrollmentId));
    if (enrollment?.triggerEventId === event.eventId) continue;
    const outcome = await deps.runtime.resume(waiter.token, {
      eventId: event.eventId,
      name: event.name,
      at: event.at,
      data: event.data,
    });
    await deps.store.deleteWaiter(waiter);
    if (outcome === 'resumed') resumed.push(waiter.enrollmentId);
  }
  return resumed;
}

/** Goal conversions (within their window, holdouts included) and exit rules, for the contact's enrollments. */
async function applyGoalsAndExits(
  deps: RoutingDeps,
  event: TimelineEvent,
  enrollments: readonly Enrollment[],
  result: RouteResult,
) {
  let facts: Awaited<ReturnType<typeof loadFacts>> | null = null;
  for (const enrollment of enrollments) {
    if (enrollment.status !== 'active' && (enrollment.conversion || enrollment.status === 'failed')) continue;
    const version = await versionsOf(deps).get(enrollment.journeyId, enrollment.journeyVersion);
    if (!version) continue;
    const { goal, exitWhen } = version.document.settings;
    if (goal && goalConverts(goal, enrollment, event)) {
      if (await convertOn(deps, enrollment, goal, event)) result.converted.push(enrollment.enrollmentId);
      if (goal.exit && enrollment.status === 'active' && (await endAndStop(deps, enrollment, 'converted'))) {
        result.exited.push(enrollment.enrollmentId);
        continue;
      }
    }
    if (enrollment.status !== 'active' || exitWhen.length === 0) continue;
    facts ??= (await loadFacts(deps.store, event.contactId, deps.clock.now())) ?? null;
    if (!facts) continue;
    const ctx = {
      ...facts.ctx,
      enteredAt: entryTime(enrollment),
      triggerEventId: enrollment.triggerEventId,
      trigger: await triggerFact(deps.store, event.contactId, enrollment.trigger),
    };
    if (exitConditionHolding(exitWhen, ctx) !== undefined && (await endAndStop(deps, enrollment, 'exit-rule'))) {
      result.exited.push(enrollment.enrollmentId);
    }
  }
}

/** Ends an active enrollment early and stops its execution wherever it waits. */
export async function endAndStop(deps: RoutingDeps, enrollment: Enrollment, reason: string): Promise<boolean> {
  const ended = await finishEnrollment(deps, enrollment, 'exited', { reason });
  if (ended && enrollment.executionArn) await deps.runtime.stop(enrollment.executionArn, `enrollment ended: ${reason}`);
  return ended;
}
