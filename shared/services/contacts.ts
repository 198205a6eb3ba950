import type { Contact, Enrollment, TimelineEvent } from '#domain/contact.ts';
import type { ContactStore, EnrollmentStore } from '#ports/store.ts';

export interface ContactView {
  contact: Contact;
  timeline: TimelineEvent[];
  enrollments: Enrollment[];
}

/** A contact with its newest timeline events and its journey enrollments. */
export async function getContactView(
  store: ContactStore & EnrollmentStore,
  email: string,
  timelineLimit = 100,
): Promise<ContactView | undefined> {
  const contactId = await store.findContactIdByEmail(email);
  if (!contactId) return undefined;
  const [contact, timeline, enrollments] = await Promise.all([
    store.getContact(contactId),
    store.listEvents(contactId, timelineLimit),
    store.listEnrollments(contactId),
  ]);
  return contact ? { contact, timeline, enrollments } : undefined;
}
