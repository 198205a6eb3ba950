import { describe, expect, it } from 'vitest';
import { eventEnvelopeSchema } from '#sources/providers/standard-webhooks.ts';
import { demoShopHistory } from './demo-shop.ts';

describe('the demo shop', () => {
  const now = new Date('2026-11-26T12:00:00Z');
  const history = demoShopHistory(200, now);

  it('is the same shop every time, in time order, within the last six months', () => {
    expect(demoShopHistory(200, now)).toEqual(history);
    const times = history.map((e) => e.body.timestamp);
    expect([...times].sort()).toEqual(times);
    expect(Date.parse(times[0] as string)).toBeGreaterThanOrEqual(now.getTime() - 183 * 86_400_000);
    expect(Date.parse(times.at(-1) as string)).toBeLessThan(now.getTime());
    expect(new Set(history.map((e) => e.id)).size).toBe(history.length);
  });

  it('sends only envelopes the Standard Webhooks source accepts, of every kind a shop sees', () => {
    for (const envelope of history)
      expect(eventEnvelopeSchema.safeParse(envelope.body).success, envelope.id).toBe(true);
    const kinds = new Set(history.map((e) => e.body.type));
    for (const kind of [
      'form.submitted',
      'checkout.started',
      'order.placed',
      'order.refunded',
      'subscription.started',
      'subscription.cancelled',
      'nps.responded',
    ]) {
      expect(kinds, kind).toContain(kind);
    }
    // Most checkouts become orders of the same cart; some carts are abandoned.
    const checkouts = history.filter((e) => e.body.type === 'checkout.started').length;
    const orders = history.filter((e) => e.body.type === 'order.placed').length;
    expect(orders / checkouts).toBeGreaterThan(0.5);
    expect(orders / checkouts).toBeLessThan(0.8);
  });
});
