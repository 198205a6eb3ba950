import { describe, expect, it } from 'vitest';
import { resolveContact } from '#contacts/identity.ts';
import type { TimelineEvent } from '#core/contact.ts';
import { createDynamoStore } from '#platform/dynamo-store.ts';
import { db, scratchTable } from '../support/local.ts';

/**
 * A timeline event written only while its contact exists (what SES events about a contact do),
 * on DynamoDB Local: one transaction with a check on the profile, told apart by its
 * cancellation reasons.
 */
const tableName = scratchTable('guarded-events');
const store = createDynamoStore(db, tableName);
const at = '2026-12-08T10:00:00.000Z';
const opened = (contactId: string): TimelineEvent => ({
  eventId: `email.opened:m-1:${contactId}`,
  contactId,
  name: 'email.opened',
  at,
  data: {},
});

describe('an event written only while its contact exists', () => {
  it('is appended once for a contact that exists, and not at all for one that does not', async () => {
    const clock = { now: () => new Date(at) };
    const { contactId } = await resolveContact(
      { store, clock },
      { identifiers: { email: 'guarded@example.com' }, cause: 'form:1', at },
    );
    expect(await store.appendEvent(opened(contactId), { onlyIfContact: true })).toBe('appended');
    expect(await store.appendEvent(opened(contactId), { onlyIfContact: true })).toBe('duplicate');
    expect(await store.appendEvent(opened('c-erased'), { onlyIfContact: true })).toBe('no-contact');
    expect(await store.getEvent('c-erased', opened('c-erased').eventId)).toBeUndefined();
    expect(await store.getEvent(contactId, opened(contactId).eventId)).toMatchObject({ name: 'email.opened' });
  });
});
