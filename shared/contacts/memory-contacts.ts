import type { Contact, TimelineEvent } from '#core/contact.ts';
import type { DueStore } from '#journeys/store.ts';
import type { IdentityRef } from './model.ts';
import type { ContactStore } from './store.ts';

const clone = <T>(value: T): T => structuredClone(value);
const key = (...parts: string[]) => parts.join('|');

/**
 * In-memory contacts, identity keys and timelines with the same conditional semantics as the
 * DynamoDB adapter. `contacts` and `events` are the owning store's (the journey runtime stores
 * share the contacts); `owner` is that store, called through for what it composes.
 */
export function createMemoryContacts(
  contacts: Map<string, Contact>,
  events: Map<string, TimelineEvent>,
  owner: () => Pick<ContactStore, 'appendEvent'> & Pick<DueStore, 'touchLastEvents' | 'putDue'>,
): ContactStore {
  const identities = new Map<string, string>();
  const idKey = (ref: IdentityRef) => `${ref.kind}#${ref.value}`;
  const orders = new Map<string, string>();
  return {
    async findContactIdByEmail(email) {
      return identities.get(idKey({ kind: 'email', value: email }));
    },
    async findContactIdByIdentifier(kind, value) {
      return identities.get(idKey({ kind, value }));
    },
    async getContact(id) {
      const contact = contacts.get(id);
      return contact && clone(contact);
    },
    async createContact(contact, firstEvent, refs, cause) {
      if (refs.some((ref) => identities.has(idKey(ref)))) return 'identifier-taken';
      for (const ref of refs) identities.set(idKey(ref), contact.contactId);
      contacts.set(contact.contactId, clone(contact));
      for (const event of cause ? [firstEvent, cause] : [firstEvent])
        events.set(key(event.contactId, event.eventId), clone(event));
      return 'created';
    },
    async claimIdentifier(ref, contactId) {
      const holder = identities.get(idKey(ref));
      if (holder && holder !== contactId) return false;
      identities.set(idKey(ref), contactId);
      return true;
    },
    async moveIdentifier(ref, from, to) {
      if (identities.get(idKey(ref)) !== from) return false;
      identities.set(idKey(ref), to);
      return true;
    },
    async changeProfile(id, expectedVersion, change, at) {
      const contact = contacts.get(id);
      if (!contact || (contact.version ?? 0) !== expectedVersion) return false;
      const c = clone(change);
      if (c.email !== undefined) contact.email = c.email;
      if (c.phone !== undefined) contact.phone = c.phone;
      if (c.mergedInto !== undefined) contact.mergedInto = c.mergedInto;
      for (const field of ['firstName', 'lastName'] as const) {
        if (c[field] === null) delete contact[field];
        else if (c[field] !== undefined) contact[field] = c[field];
      }
      if (c.externalIds && Object.keys(c.externalIds).length > 0) contact.externalIds = c.externalIds;
      if (c.tags) contact.tags = [...c.tags];
      if (c.addAnonymousIds?.length) contact.anonymousIds = [...(contact.anonymousIds ?? []), ...c.addAnonymousIds];
      Object.assign(contact.properties, c.setProperties ?? {});
      for (const k of c.removeProperties ?? []) delete contact.properties[k];
      contact.provenance = { ...contact.provenance, ...c.provenance };
      contact.version = expectedVersion + 1;
      contact.updatedAt = at;
      return true;
    },
    async setScores(id, scores, at, profileVersion, lastEvents) {
      const contact = contacts.get(id);
      if (contact) Object.assign(contact, { scores: clone(scores), scoresAt: at, scoresVersion: profileVersion });
      if (lastEvents) await owner().touchLastEvents(id, lastEvents);
    },
    async markUnsubscribed(id, at) {
      const contact = contacts.get(id);
      if (!contact || contact.unsubscribedAt) return false;
      contact.unsubscribedAt = at;
      return true;
    },
    async setGlobalUnsubscribe(id, unsubscribedAt, at) {
      const contact = contacts.get(id);
      if (!contact) throw new Error(`no contact ${id}`);
      if (unsubscribedAt) contact.unsubscribedAt = unsubscribedAt;
      else delete contact.unsubscribedAt;
      contact.updatedAt = at;
    },
    async setSubscription(id, topicId, subscription) {
      const contact = contacts.get(id);
      if (!contact) throw new Error(`no contact ${id}`);
      contact.subscriptions = { ...contact.subscriptions, [topicId]: clone(subscription) };
      contact.updatedAt = subscription.at;
    },
    async appendEvent(event, options) {
      if (options?.onlyIfContact && !contacts.has(event.contactId)) return 'no-contact';
      const k = key(event.contactId, event.eventId);
      if (events.has(k)) return 'duplicate';
      events.set(k, clone(event));
      return 'appended';
    },
    async putOrderRef(orderRef, contactId) {
      orders.set(orderRef, contactId);
    },
    async appendEventWith(event, { orderRef, dues = [] }) {
      await owner().appendEvent(event);
      if (orderRef) orders.set(orderRef, event.contactId);
      if (dues.length > 0) await owner().putDue(dues);
    },
    async findContactIdByOrder(orderRef) {
      return orders.get(orderRef);
    },
    async getEvent(contactId, eventId) {
      const event = events.get(key(contactId, eventId));
      return event && clone(event);
    },
    async listEvents(contactId, limit) {
      return [...events.values()]
        .filter((e) => e.contactId === contactId)
        .sort((a, b) => `${b.at}#${b.eventId}`.localeCompare(`${a.at}#${a.eventId}`))
        .slice(0, limit)
        .map(clone);
    },
  };
}
