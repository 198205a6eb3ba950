import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '#core/canonical-event.ts';
import type { Clock } from '#core/clock.ts';
import { createMemoryJourneys } from '#journeys/memory-runtime.ts';
import { createMemoryStore } from '#platform/memory-store.ts';
import { applyEvent } from '#sources/process-inbox.ts';
import { getContactView } from './contact-view.ts';

const clock: Clock = { now: () => new Date('2026-11-23T10:00:00Z') };
const money = { amountMinor: 8500, currency: 'USD' };

describe('a refund that names only the order (Shopify refunds/create)', () => {
  it('lands on the timeline of whoever placed the order, and nowhere when nobody did', async () => {
    const memory = createMemoryStore();
    const deps = { store: memory.store, clock, runtime: createMemoryJourneys() };
    const placed: CanonicalEvent = {
      name: 'order.placed',
      key: 'order:4501',
      occurredAt: '2026-11-20T10:00:00.000Z',
      identifiers: { email: 'ada@example.com' },
      data: { provider: 'shopify', orderId: '4501', total: money, lineItems: [] },
    };
    const refund = (orderId: string): CanonicalEvent => ({
      name: 'order.refunded',
      key: `refund:r-${orderId}`,
      occurredAt: '2026-11-22T10:00:00.000Z',
      identifiers: {},
      orderRef: `shopify:${orderId}`,
      data: { provider: 'shopify', orderId, refundId: `r-${orderId}`, amount: money },
    });

    const order = await applyEvent(deps, 'shop', 'shop:1', placed);
    const refunded = await applyEvent(deps, 'shop', 'shop:2', refund('4501'));
    const unknown = await applyEvent(deps, 'shop', 'shop:3', refund('9999'));

    expect(refunded.contactId).toBe(order.contactId);
    expect(refunded.created).toBe(false);
    const view = await getContactView(memory.store, { kind: 'email', value: 'ada@example.com' });
    expect(view?.timeline.find((e) => e.name === 'order.refunded')?.data).toMatchObject({
      orderId: '4501',
      amount: money,
    });
    expect(unknown).toMatchObject({ contactId: '', skipped: 'no contact placed order shopify:9999' });
    expect(memory.sizes().contacts).toBe(1);
  });
});
