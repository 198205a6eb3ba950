import type { ContactStore } from '#contacts/store.ts';
import type { Contact } from '#core/contact.ts';

/** Creates a contact `<id>@example.com` with its `contact.created` event, as unit tests need one. */
export async function addTestContact(
  store: Pick<ContactStore, 'createContact'>,
  id: string,
  extra: Partial<Contact> = {},
  at = '2026-03-01T00:00:00.000Z',
): Promise<void> {
  const contact: Contact = {
    contactId: id,
    email: `${id}@example.com`,
    properties: {},
    createdAt: at,
    updatedAt: at,
    createdBy: 'test',
    ...extra,
  };
  await store.createContact(
    contact,
    { eventId: `created:${id}`, contactId: id, name: 'contact.created', at, data: {} },
    [{ kind: 'email', value: `${id}@example.com` }],
  );
}
