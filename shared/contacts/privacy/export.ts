import type { Clock } from '#core/clock.ts';
import type { Contact } from '#core/contact.ts';
import type { ExecutionReader } from '#journeys/store.ts';
import { scoreContact } from '#scoring/scores.ts';
import { TOPICS } from '../consent.ts';
import { ContactError } from '../errors.ts';
import type { ContactStore } from '../store.ts';
import { currentContact, gatherPerson } from './erase.ts';
import type { ContactExport } from './model.ts';
import type { PersonStore } from './store.ts';

/**
 * The export (GDPR articles 15 and 20): everything held about a person, read from their
 * partition in one query (and from the partitions of contacts merged into them), as one JSON
 * document. Execution paths come from the journey runtime's history.
 */
export interface ExportDeps {
  people: Pick<PersonStore, 'readPerson'>;
  store: Pick<ContactStore, 'getContact'>;
  executions: ExecutionReader;
  clock: Clock;
}

/** Every identifier that resolves to the contact. */
const identitiesOf = (c: Contact) => [
  ...(c.email ? [{ kind: 'email', value: c.email }] : []),
  ...(c.phone ? [{ kind: 'phone', value: c.phone }] : []),
  ...Object.entries(c.externalIds ?? {}).flatMap(([kind, value]) => (value ? [{ kind, value }] : [])),
  ...(c.anonymousIds ?? []).map((value) => ({ kind: 'anonymousId', value })),
];

/** The export of a contact (merges followed); `contact_not_found` when there is none. */
export async function exportContact(deps: ExportDeps, contactId: string): Promise<ContactExport> {
  const found = await currentContact(deps.store, contactId);
  if (!found) throw new ContactError('contact_not_found', `no contact "${contactId}"`);
  const [person, ...merged] = await gatherPerson(deps.people, found.contactId);
  const contact = person?.contact ?? found;
  const events = person?.events ?? [];
  const now = deps.clock.now();
  const enrollments = await Promise.all(
    (person?.enrollments ?? []).map(async (enrollment) => {
      // A path is what the runtime still knows: an execution may have aged out of its history.
      const path = enrollment.executionArn
        ? await deps.executions.path(enrollment.executionArn).catch(() => undefined)
        : undefined;
      return path ? { ...enrollment, path } : enrollment;
    }),
  );
  return {
    exportedAt: now.toISOString(),
    contact,
    identities: identitiesOf(contact),
    timeline: events,
    enrollments,
    messages: person?.sends ?? [],
    consents: {
      ...(contact.unsubscribedAt ? { unsubscribedAt: contact.unsubscribedAt } : {}),
      topics: TOPICS.map((topic) => {
        const choice = contact.subscriptions?.[topic.id];
        return {
          topicId: topic.id,
          name: topic.name,
          subscribed: !contact.unsubscribedAt && (choice ? choice.status === 'subscribed' : topic.defaultSubscribed),
          ...(choice ? { choice } : {}),
        };
      }),
    },
    segments: person?.memberships ?? [],
    scores: scoreContact(contact, events, now),
    merged: merged.map((m) => m.contactId),
  };
}
