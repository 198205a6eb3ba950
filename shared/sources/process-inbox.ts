import { resolveContact } from '#contacts/identity.ts';
import type { Resolution } from '#contacts/identity-model.ts';
import { applyProfile } from '#contacts/identity-profile.ts';
import type { ContactStore } from '#contacts/store.ts';
import type { CanonicalEvent } from '#core/canonical-event.ts';
import type { TimelineEvent } from '#core/contact.ts';
import { inactivityDues, type RoutingDeps, routeEvent } from '#journeys/routing.ts';
import type { RegistryStore } from '#platform/store.ts';
import type { InboxRecord } from './model.ts';
import type { InboxStore } from './store.ts';

export interface ProcessDeps extends RoutingDeps {
  store: InboxStore & ContactStore & RegistryStore & RoutingDeps['store'];
  /** Called with every timeline event the record produced (outbound webhook subscriptions). */
  onEvent?: (event: TimelineEvent) => Promise<unknown>;
}

export interface ProcessedEvent {
  eventId: string;
  contactId: string;
  created: boolean;
  merged: string[];
  conflicts: string[];
  enrollments: string[];
  resumed: string[];
  exited: string[];
  converted: string[];
  /** Why the event was not applied (a refund of an unknown order). */
  skipped?: string;
}

export type ProcessOutcome =
  | { kind: 'processed'; events: ProcessedEvent[] }
  | { kind: 'not-for-processing' }
  | { kind: 'missing' };

/**
 * Applies one stored delivery: for each canonical event it carries, resolve the contact, apply
 * the profile with provenance, append the timeline event, notify subscribers and enroll the
 * contact in matching live journeys (and resume, convert or end the journeys it is in). Every write is keyed by something derived from the record
 * (or from the business fact it describes), so running it twice, or receiving the same order
 * under two topics, changes nothing the first run did.
 */
export async function processInboxRecord(deps: ProcessDeps, inbox: string | InboxRecord): Promise<ProcessOutcome> {
  // The stream hands over the record itself (its new image): no need to read it again.
  const record = typeof inbox === 'string' ? await deps.store.getInbox(inbox) : inbox;
  if (!record) return { kind: 'missing' };
  // Stored but not for processing (an unused topic); records of older versions may say `processed`.
  if (record.status !== 'received') return { kind: 'not-for-processing' };
  const results: ProcessedEvent[] = [];
  for (const [index, event] of (record.events ?? []).entries()) {
    const cause = index === 0 ? record.inboxId : `${record.inboxId}#${index}`;
    results.push(await applyEvent(deps, record.sourceId, cause, event));
  }
  return { kind: 'processed', events: results };
}

/** One canonical event: identity, profile, timeline, subscribers, journeys. */
export async function applyEvent(
  deps: ProcessDeps,
  sourceId: string,
  cause: string,
  event: CanonicalEvent,
): Promise<ProcessedEvent> {
  const timelineEvent: Omit<TimelineEvent, 'contactId'> = {
    eventId: `${event.name}:${sourceId}:${event.key}`,
    name: event.name,
    at: event.occurredAt,
    data: { ...event.data, sourceId, cause },
  };
  // Routing needs the live journeys: their check starts with the identity lookup, and reads begun
  // together go to DynamoDB as one request.
  deps.store.listJourneys().catch(() => undefined);
  const resolution = await resolve(deps, sourceId, cause, event, timelineEvent);
  if (!resolution) {
    // A refund for an order Tend never saw: there is no one to put it on.
    return {
      eventId: '',
      contactId: '',
      created: false,
      merged: [],
      conflicts: [],
      enrollments: [],
      resumed: [],
      exited: [],
      converted: [],
      skipped: `no contact placed order ${event.orderRef}`,
    };
  }
  const { contactId } = resolution;
  if (event.profile && !resolution.created)
    await applyProfile(deps, contactId, event.profile, { source: sourceId, at: event.occurredAt }, resolution.contact);
  const stored: TimelineEvent = { ...timelineEvent, contactId };
  const orderRef =
    event.name === 'order.placed' && typeof event.data.orderId === 'string'
      ? `${String(event.data.provider ?? sourceId)}:${event.data.orderId}`
      : undefined;
  // A contact created for this event was written with it. Otherwise the event goes with the
  // reference of the order it places and the inactivity triggers it re-arms, in one request.
  const dues = resolution.eventStored ? [] : await inactivityDues(deps.store, stored, deps.clock.now());
  if (resolution.eventStored) {
    if (orderRef) await deps.store.putOrderRef(orderRef, contactId);
  } else if (orderRef || dues.length > 0) {
    await deps.store.appendEventWith(stored, { ...(orderRef ? { orderRef } : {}), dues });
  } else {
    await deps.store.appendEvent(stored);
  }
  await deps.onEvent?.(stored);

  const routed = await routeEvent(deps, stored, {
    createdContact: resolution.created,
    freshContact: resolution.fresh === true,
    inactivityArmed: !resolution.eventStored,
  });
  return {
    eventId: stored.eventId,
    contactId,
    created: resolution.created,
    merged: resolution.merged,
    conflicts: resolution.conflicts.map((c) => c.conflictId),
    ...routed,
  };
}

/** The event's contact: by its identifiers, or (naming only an order) by who placed the order. */
async function resolve(
  deps: ProcessDeps,
  sourceId: string,
  cause: string,
  event: CanonicalEvent,
  timelineEvent: Omit<TimelineEvent, 'contactId'>,
): Promise<Resolution | undefined> {
  const identified = Object.values(event.identifiers).some((v) => v !== undefined);
  if (!identified && event.orderRef) {
    const contactId = await deps.store.findContactIdByOrder(event.orderRef);
    return contactId
      ? { contactId, created: false, fresh: false, eventStored: false, merged: [], conflicts: [] }
      : undefined;
  }
  return resolveContact(deps, {
    identifiers: event.identifiers,
    cause,
    at: event.occurredAt,
    profile: event.profile,
    source: sourceId,
    lastEvent: { name: event.name, at: event.occurredAt },
    event: timelineEvent,
  });
}
