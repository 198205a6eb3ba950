import type { IdentifierKind } from '#domain/canonical-event.ts';
import type { Contact, Enrollment, TimelineEvent } from '#domain/contact.ts';
import type { ContactStore, EnrollmentStore } from '#ports/store.ts';

export interface ContactView {
  contact: Contact;
  timeline: TimelineEvent[];
  enrollments: Enrollment[];
}

/** How a contact is looked up: by id or by any identifier that resolves to it. */
export type ContactLookup = { contactId: string } | { kind: IdentifierKind; value: string };

/** A contact with its newest timeline events and its journey enrollments; follows merges. */
export async function getContactView(
  store: ContactStore & EnrollmentStore,
  lookup: ContactLookup,
  timelineLimit = 100,
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
  const [timeline, enrollments] = await Promise.all([
    store.listEvents(contactId, timelineLimit),
    store.listEnrollments(contactId),
  ]);
  return { contact, timeline, enrollments };
}
