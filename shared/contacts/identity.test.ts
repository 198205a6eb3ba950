import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { CanonicalEvent } from '#core/canonical-event.ts';
import type { Clock } from '#core/clock.ts';
import { createMemoryJourneys } from '#journeys/memory-runtime.ts';
import { createMemoryStore } from '#platform/memory-store.ts';
import { applyEvent } from '#sources/process-inbox.ts';
import { getContactView } from './contact-view.ts';
import { resolveContact } from './identity.ts';
import { applyProfile, profileChange } from './identity-profile.ts';

const clock: Clock = { now: () => new Date('2026-11-23T10:00:00Z') };
let memory: ReturnType<typeof createMemoryStore>;
beforeEach(() => {
  memory = createMemoryStore();
});
const deps = () => ({ store: memory.store, clock, runtime: createMemoryJourneys() });
const event = (over: Partial<CanonicalEvent> & Pick<CanonicalEvent, 'identifiers' | 'key'>): CanonicalEvent => ({
  name: 'contact.updated',
  occurredAt: '2026-11-23T09:00:00.000Z',
  data: {},
  ...over,
});
const view = async (kind: 'email' | 'shopifyCustomerId' | 'anonymousId' | 'userId', value: string) =>
  (await getContactView(memory.store, { kind, value }))?.contact;

describe('identity resolution', () => {
  it('joins a Shopify customer, the same Stripe customer and a form submission into one contact', async () => {
    await applyEvent(
      deps(),
      'shop',
      'shop:1',
      event({
        key: 'customer:1',
        identifiers: { email: 'ada@example.com', shopifyCustomerId: '207119551' },
        profile: { firstName: 'Ada' },
      }),
    );
    await applyEvent(
      deps(),
      'stripe',
      'stripe:1',
      event({
        name: 'order.placed',
        key: 'order:cs_1',
        identifiers: { email: 'ada@example.com', stripeCustomerId: 'cus_9s6XKzkNRiz8i3' },
      }),
    );
    await applyEvent(
      deps(),
      'form',
      'form:1',
      event({
        name: 'form.submitted',
        key: 'form:1',
        identifiers: { email: 'ada@example.com' },
        profile: { properties: { plan: 'pro' } },
      }),
    );

    const contact = await view('shopifyCustomerId', '207119551');
    expect(contact).toMatchObject({
      email: 'ada@example.com',
      firstName: 'Ada',
      externalIds: { shopifyCustomerId: '207119551', stripeCustomerId: 'cus_9s6XKzkNRiz8i3' },
      properties: { plan: 'pro' },
    });
    expect(memory.sizes().contacts).toBe(1);
    expect(await memory.store.listConflicts()).toEqual([]);
  });

  it('never merges two different people who share nothing', async () => {
    await applyEvent(
      deps(),
      'shop',
      'a',
      event({ key: 'a', identifiers: { email: 'ada@example.com', shopifyCustomerId: '1' } }),
    );
    await applyEvent(
      deps(),
      'shop',
      'b',
      event({ key: 'b', identifiers: { email: 'bob@example.com', shopifyCustomerId: '2' } }),
    );
    expect(memory.sizes().contacts).toBe(2);
    expect((await view('email', 'ada@example.com'))?.contactId).not.toBe(
      (await view('email', 'bob@example.com'))?.contactId,
    );
  });

  it('records a conflict instead of merging two identified contacts an event ties together', async () => {
    await applyEvent(
      deps(),
      'shop',
      'a',
      event({ key: 'a', identifiers: { email: 'ada@example.com', shopifyCustomerId: '1' } }),
    );
    await applyEvent(
      deps(),
      'stripe',
      'b',
      event({ key: 'b', identifiers: { email: 'bob@example.com', stripeCustomerId: 'cus_B' } }),
    );
    const ada = await view('email', 'ada@example.com');
    const bob = await view('email', 'bob@example.com');

    // A Stripe event naming Bob's Stripe customer with Ada's email.
    const result = await resolveContact(deps(), {
      identifiers: { email: 'ada@example.com', stripeCustomerId: 'cus_B' },
      cause: 'stripe:c',
      at: '2026-11-23T09:30:00.000Z',
    });

    expect(result.contactId).toBe(bob?.contactId); // the provider id outranks the typed email
    expect(memory.sizes().contacts).toBe(2);
    const conflicts = await memory.store.listConflicts();
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({
      kind: 'two-contacts',
      contactIds: [bob?.contactId, ada?.contactId],
      status: 'open',
    });
    expect((await view('email', 'ada@example.com'))?.contactId).toBe(ada?.contactId);
  });

  it('keeps a contact email and records the different one an event brings', async () => {
    await applyEvent(
      deps(),
      'shop',
      'a',
      event({ key: 'a', identifiers: { email: 'ada@example.com', shopifyCustomerId: '1' } }),
    );
    await applyEvent(
      deps(),
      'shop',
      'b',
      event({ key: 'b', identifiers: { email: 'ada@new.example', shopifyCustomerId: '1' } }),
    );
    expect((await view('shopifyCustomerId', '1'))?.email).toBe('ada@example.com');
    expect(await view('email', 'ada@new.example')).toBeUndefined();
    expect((await memory.store.listConflicts())[0]).toMatchObject({ kind: 'different-identifier' });
  });

  it('merges an anonymous contact into the identified one, with its timeline and properties', async () => {
    await applyEvent(
      deps(),
      'api',
      'm1',
      event({
        name: 'checkout.started',
        key: 'm1',
        identifiers: { anonymousId: 'anon-42' },
        profile: { properties: { utm_source: 'newsletter' } },
      }),
    );
    await applyEvent(deps(), 'form', 'f1', event({ key: 'f1', identifiers: { email: 'ada@example.com' } }));
    expect(memory.sizes().contacts).toBe(2);

    await applyEvent(
      deps(),
      'api',
      'm2',
      event({ key: 'm2', identifiers: { anonymousId: 'anon-42', email: 'ada@example.com' } }),
    );

    const merged = await getContactView(memory.store, { kind: 'anonymousId', value: 'anon-42' });
    expect(merged?.contact).toMatchObject({
      email: 'ada@example.com',
      anonymousIds: ['anon-42'],
      properties: { utm_source: 'newsletter' },
    });
    expect(merged?.timeline.map((e) => e.name)).toEqual(expect.arrayContaining(['checkout.started', 'contact.merged']));
    expect(merged?.contact.provenance?.['properties.utm_source']).toEqual({
      source: 'api',
      at: '2026-11-23T09:00:00.000Z',
    });
  });

  it('identifies an anonymous contact in place when nobody else has the email', async () => {
    await applyEvent(deps(), 'api', 'm1', event({ key: 'm1', identifiers: { anonymousId: 'anon-7' } }));
    await applyEvent(
      deps(),
      'api',
      'm2',
      event({ key: 'm2', identifiers: { anonymousId: 'anon-7', userId: 'u-7', email: 'eve@example.com' } }),
    );
    expect(memory.sizes().contacts).toBe(1);
    expect(await view('userId', 'u-7')).toMatchObject({ email: 'eve@example.com', externalIds: { userId: 'u-7' } });
  });

  it('treats a replayed cause as the one that created the contact', async () => {
    const input = { identifiers: { email: 'ada@example.com' }, cause: 'form:1', at: '2026-11-23T09:00:00.000Z' };
    const first = await resolveContact(deps(), input);
    const again = await resolveContact(deps(), input);
    const other = await resolveContact(deps(), { ...input, cause: 'form:2' });
    expect([first.created, again.created, other.created]).toEqual([true, true, false]);
    expect(new Set([first.contactId, again.contactId, other.contactId]).size).toBe(1);
  });
});

describe('reads', () => {
  it('reads a known contact once for an event that brings a new name, and applies the name', async () => {
    const known = event({ key: 'k1', identifiers: { email: 'ada@example.com' }, profile: { firstName: 'Ada' } });
    await applyEvent(deps(), 'form', 'form:1', known);
    const getContact = vi.spyOn(memory.store, 'getContact');
    await applyEvent(deps(), 'form', 'form:2', { ...known, key: 'k2', profile: { firstName: 'Adah' } });
    expect(getContact).toHaveBeenCalledTimes(1);
    getContact.mockRestore();
    expect((await view('email', 'ada@example.com'))?.firstName).toBe('Adah');
  });
});

describe('profile provenance', () => {
  it('remembers where each value came from and never lets an older event overwrite a newer one', async () => {
    const { contactId } = await resolveContact(deps(), {
      identifiers: { email: 'ada@example.com' },
      cause: 'c',
      at: '2026-11-01T00:00:00.000Z',
    });
    await applyProfile(
      deps(),
      contactId,
      { properties: { plan: 'pro' } },
      { source: 'stripe', at: '2026-11-20T00:00:00.000Z' },
    );
    const stale = await applyProfile(
      deps(),
      contactId,
      { properties: { plan: 'free' } },
      { source: 'import:1', at: '2026-11-10T00:00:00.000Z' },
    );
    const contact = await memory.store.getContact(contactId);
    expect(stale).toBe('unchanged');
    expect(contact?.properties.plan).toBe('pro');
    expect(contact?.provenance?.['properties.plan']).toEqual({ source: 'stripe', at: '2026-11-20T00:00:00.000Z' });
  });

  it('replace mode removes properties the row does not have; merge mode keeps them', () => {
    const contact = {
      contactId: 'c-1',
      properties: { plan: 'pro', city: 'Paris' },
      createdAt: '',
      updatedAt: '',
      createdBy: '',
    };
    const profile = { properties: { plan: 'team' } };
    const at = '2026-11-23T00:00:00.000Z';
    expect(profileChange(contact, profile, { source: 'i', at, mode: 'replace' })).toMatchObject({
      setProperties: { plan: 'team' },
      removeProperties: ['city'],
    });
    expect(profileChange(contact, profile, { source: 'i', at })?.removeProperties).toBeUndefined();
  });
});

describe('shared phones', () => {
  it('gives a new email its own contact when it matches someone else only by phone, and records it', async () => {
    await applyEvent(
      deps(),
      'woo',
      'a',
      event({ key: 'a', identifiers: { email: 'ada@example.com', phone: '+15555555555' } }),
    );
    const second = await applyEvent(
      deps(),
      'woo',
      'b',
      event({ key: 'b', identifiers: { email: 'bob@example.com', phone: '+15555555555' } }),
    );
    const again = await applyEvent(
      deps(),
      'woo',
      'b',
      event({ key: 'b', identifiers: { email: 'bob@example.com', phone: '+15555555555' } }),
    );

    expect(memory.sizes().contacts).toBe(2);
    expect((await view('email', 'bob@example.com'))?.contactId).toBe(second.contactId);
    expect(again.contactId).toBe(second.contactId);
    expect((await view('email', 'bob@example.com'))?.phone).toBeUndefined();
    const conflicts = await memory.store.listConflicts();
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]?.detail).toContain('phone +15555555555 also belongs to');
  });
});
