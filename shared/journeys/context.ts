import type { ContactStore } from '#contacts/store.ts';
import type { Clock } from '#core/clock.ts';
import type { Contact, Enrollment, EnrollmentStatus, TimelineEvent } from '#core/contact.ts';
import type { SegmentStore } from '#segments/store.ts';
import type { ContactFacts, EvaluationContext, EventFact, FactNeeds, TriggerFact } from '#workflows/conditions.ts';
import { ENROLLMENT_EXITED_ERROR } from '#workflows/states.ts';
import type { JourneyVersion } from './model.ts';
import type { EndDetail, EnrollmentStore, JourneyStore } from './store.ts';

/**
 * What journey steps, routing and the scheduler share: published versions (cached: a version
 * never changes), the facts conditions read, and how an enrollment is ended.
 */

/** Thrown by a step when the enrollment has ended or an exit rule holds; the ASL catches it by name. */
export class EnrollmentExitedError extends Error {
  override name = ENROLLMENT_EXITED_ERROR;
}

export interface VersionCache {
  get(journeyId: string, version: number): Promise<JourneyVersion | undefined>;
}

/** Published versions are immutable, so a warm function keeps every one it has read. */
export function createVersionCache(store: Pick<JourneyStore, 'getVersion'>, max = 200): VersionCache {
  const cache = new Map<string, JourneyVersion>();
  return {
    async get(journeyId, version) {
      const key = `${journeyId}#${version}`;
      const hit = cache.get(key);
      if (hit) return hit;
      const found = await store.getVersion(journeyId, version);
      if (found) {
        if (cache.size >= max) cache.delete(cache.keys().next().value as string);
        cache.set(key, found);
      }
      return found;
    },
  };
}

/** The version cache of `deps`, created on first use and kept there for the calls that follow. */
export const versionsOf = (deps: { store: Pick<JourneyStore, 'getVersion'>; versions?: VersionCache }) => {
  deps.versions ??= createVersionCache(deps.store);
  return deps.versions;
};

/** How many timeline events conditions look at (newest first). */
export const FACT_EVENTS = 1_000;

export const contactFacts = (contact: Contact): ContactFacts => ({
  email: contact.email,
  phone: contact.phone,
  firstName: contact.firstName,
  lastName: contact.lastName,
  locale: contact.locale,
  timeZone: contact.timeZone,
  createdAt: contact.createdAt,
  properties: contact.properties,
  tags: contact.tags ?? [],
  ...(contact.scores ? { scores: { ...contact.scores } } : {}),
});

export const eventFact = (e: TimelineEvent): EventFact => ({ id: e.eventId, name: e.name, at: e.at, data: e.data });

/** A contact and its newest events (up to FACT_EVENTS), read once for several consumers of one record. */
export interface ContactHistory {
  contact: Contact;
  events: TimelineEvent[];
}

/** Reads the contact and its newest FACT_EVENTS events; undefined when the contact is gone. */
export async function loadHistory(
  store: Pick<ContactStore, 'getContact' | 'listEvents'>,
  contactId: string,
): Promise<ContactHistory | undefined> {
  const [contact, events] = await Promise.all([store.getContact(contactId), store.listEvents(contactId, FACT_EVENTS)]);
  return contact ? { contact, events } : undefined;
}

/**
 * The contact and its recent events, as conditions read them; undefined when the contact is gone.
 * Events and memberships are read only when `needs` says conditions read them (by default they
 * are); left out, they are empty.
 */
export async function loadFacts(
  store: Pick<ContactStore, 'getContact' | 'listEvents'> & Pick<SegmentStore, 'listMemberships'>,
  contactId: string,
  now: Date,
  needs: Pick<FactNeeds, 'events' | 'segments'> = { events: true, segments: true },
): Promise<{ contact: Contact; ctx: EvaluationContext } | undefined> {
  const [contact, events, memberships] = await Promise.all([
    store.getContact(contactId),
    needs.events ? store.listEvents(contactId, FACT_EVENTS) : [],
    needs.segments ? store.listMemberships(contactId) : [],
  ]);
  if (!contact) return undefined;
  return {
    contact,
    ctx: {
      contact: { ...contactFacts(contact), segments: memberships.map((m) => m.segmentId) },
      events: events.map(eventFact),
      now,
    },
  };
}

/** The trigger as conditions see it (its event's data read from the timeline). */
export async function triggerFact(
  store: Pick<ContactStore, 'getEvent'>,
  contactId: string,
  trigger: Enrollment['trigger'],
): Promise<TriggerFact | undefined> {
  if (!trigger) return undefined;
  const event =
    trigger.type === 'event' || trigger.type === 'segment'
      ? await store.getEvent(contactId, trigger.eventId)
      : undefined;
  return { type: trigger.type, name: trigger.name, data: event?.data ?? {} };
}

/** When "since entry" starts: the triggering event's own time, so an event that raced the enrollment counts. */
export const entryTime = (e: Pick<Enrollment, 'trigger' | 'enteredAt'>): string => e.trigger?.at ?? e.enteredAt;

/**
 * Ends an active enrollment and records `journey.exited` once. Returns false when it had
 * already ended (a replay, or another path ended it first).
 */
export async function finishEnrollment(
  deps: { store: Pick<EnrollmentStore, 'endEnrollment'> & Pick<ContactStore, 'appendEvent'>; clock: Clock },
  enrollment: Pick<Enrollment, 'contactId' | 'enrollmentId' | 'journeyId' | 'journeyVersion'>,
  status: Exclude<EnrollmentStatus, 'active' | 'holdout'>,
  detail: EndDetail & { error?: string },
): Promise<boolean> {
  const at = deps.clock.now().toISOString();
  const ended = await deps.store.endEnrollment(enrollment.contactId, enrollment.enrollmentId, status, at, detail);
  // Appended even when already ended, so a crash between the two writes is healed by a retry.
  await deps.store.appendEvent({
    eventId: `journey.exited:${enrollment.enrollmentId}`,
    contactId: enrollment.contactId,
    name: 'journey.exited',
    at,
    data: {
      journeyId: enrollment.journeyId,
      journeyVersion: enrollment.journeyVersion,
      enrollmentId: enrollment.enrollmentId,
      status,
      reason: detail.reason ?? status,
      ...(detail.nodeId ? { nodeId: detail.nodeId } : {}),
      ...(detail.error ? { error: detail.error } : {}),
    },
  });
  return ended;
}

/**
 * Whether an event counts for a wait that began at `since`. Compared to the second: webhook
 * times have whole seconds (Standard Webhooks' timestamp, most providers' `created_at`), so an
 * answer in the same second as the wait began would otherwise read as earlier and be missed.
 */
export const atOrAfter = (at: string, since: string): boolean =>
  Math.floor(Date.parse(at) / 1000) >= Math.floor(Date.parse(since) / 1000);
