import { describe, expect, it } from 'vitest';
import { resolveContact } from '#contacts/identity.ts';
import { createMemoryStore } from '#platform/memory-store.ts';
import { recordEmailEvent } from './email-events.ts';

const at = '2026-12-08T10:00:00.000Z';
const clock = { now: () => new Date(at) };
const opened = (contactId: string) => ({
  eventType: 'Open' as const,
  mail: {
    messageId: `m-${contactId}`,
    timestamp: at,
    destination: ['ada@example.com'],
    tags: { contactId: [contactId], enrollment: ['e-1'], node: ['welcome-email'] },
  },
  open: { timestamp: at },
});

describe('an SES event about a contact', () => {
  it('goes on the timeline of a contact that exists', async () => {
    const { store } = createMemoryStore();
    const { contactId } = await resolveContact(
      { store, clock },
      { identifiers: { email: 'ada@example.com' }, cause: 'form:1', at },
    );
    expect((await recordEmailEvent({ store }, opened(contactId))).timeline).toBe(1);
    expect((await store.listEvents(contactId, 10)).map((e) => e.name)).toContain('email.opened');
  });

  it('writes nothing when the contact no longer exists (erased before the open arrived)', async () => {
    const { store } = createMemoryStore();
    expect((await recordEmailEvent({ store }, opened('c-erased'))).timeline).toBe(0);
    expect(await store.listEvents('c-erased', 10)).toEqual([]);
  });
});
