import type { IdentifierKind } from '#core/canonical-event.ts';
import type { Contact, Enrollment, TimelineEvent } from '#core/contact.ts';
import type { EnrollmentStore } from '#journeys/store.ts';
import { type ContactScores, scoreContact } from '#scoring/scores.ts';
import type { ContactStore } from './store.ts';

export interface ContactView {
  contact: Contact;
  timeline: TimelineEvent[];
  enrollments: Enrollment[];
  /** RFM, churn risk, lead score and loyalty, each with the sentences that explain it. */
  scores: ContactScores;
}

/** Events the scores read (newest first); the view shows fewer. */
const SCORED_EVENTS = 1_000;

/** How a contact is looked up: by id or by any identifier that resolves to it. */
export type ContactLookup = { contactId: string } | { kind: IdentifierKind; value: string };

/** A contact with its newest timeline events and its journey enrollments; follows merges. */
export async function getContactView(
  store: ContactStore & EnrollmentStore,
  lookup: ContactLookup,
  timelineLimit = 100,
  now = new Date(),
): Promise<ContactView | undefined> {
  let contactId =
    'contactId' in lookup ? lookup.contactId : await store.findContactIdByIdentifier(lookup.kind, lookup.value);
  let contact: Contact | undefined;
  for (let hops = 0; contactId && hops < 5; hops++) {
    contact = await store.getContact(contactId);
    if (!contact?.mergedInto) break;
    contactId = contact.mergedInto;
  }
  if (!contact || !contactId) return undefined;
  const [events, enrollments] = await Promise.all([
    store.listEvents(contactId, Math.max(timelineLimit, SCORED_EVENTS)),
    store.listEnrollments(contactId),
  ]);
  return { contact, timeline: events.slice(0, timelineLimit), enrollments, scores: scoreContact(contact, events, now) };
}
