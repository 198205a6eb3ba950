import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '#core/canonical-event.ts';
import { alterOneByte, delivery, fixture, fixtureJson } from '../../../test/fixtures/providers/fixtures.ts';
import { canonicalEventSchema } from './canonical-data.ts';
import { woocommerce } from './woocommerce.ts';

const SECRET = 'q&Xv<8^Zr@b3Kp!t';

/** WooCommerce's documented algorithm: base64 HMAC-SHA256 of the raw body keyed by the secret. */
const sign = (body: Buffer, secret = SECRET) => createHmac('sha256', secret).update(body).digest('base64');

const signed = (body: Buffer | string, topic: string, overrides: Record<string, string> = {}) => {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return delivery(bytes, {
    'X-WC-Webhook-Source': 'https://example.com/',
    'X-WC-Webhook-Topic': topic,
    'X-WC-Webhook-Resource': topic.split('.')[0] ?? '',
    'X-WC-Webhook-Event': topic.split('.')[1] ?? '',
    'X-WC-Webhook-Signature': sign(bytes),
    'X-WC-Webhook-ID': '12',
    'X-WC-Webhook-Delivery-ID': '8f2b1c9e4a7d3f6b0e5c2a9d8b7f4e1c',
    ...overrides,
  });
};

const parse = (body: Buffer | string, topic: string) => {
  const d = signed(body, topic);
  expect(woocommerce.verify(SECRET, d)).toEqual({ ok: true });
  return woocommerce.parse(d, JSON.parse(d.body.toString('utf8')), {});
};

const eventsOf = (result: ReturnType<typeof parse>['result']): CanonicalEvent[] => {
  if (result.kind !== 'events') throw new Error(`expected events, got ignored: ${result.reason}`);
  for (const event of result.events) canonicalEventSchema.parse(event);
  return result.events;
};

const onlyEvent = (result: ReturnType<typeof parse>['result']): CanonicalEvent => {
  const events = eventsOf(result);
  expect(events).toHaveLength(1);
  return events[0] as CanonicalEvent;
};

describe('woocommerce verify', () => {
  it('accepts a body signed with the secret', () => {
    // Arrange
    const d = signed(fixture('woocommerce', 'order.created'), 'order.created');
    // Act
    const result = woocommerce.verify(SECRET, d);
    // Assert
    expect(result).toEqual({ ok: true });
  });

  it('refuses a body altered by one byte', () => {
    const body = fixture('woocommerce', 'order.created');
    const d = { ...signed(body, 'order.created'), body: alterOneByte(body) };

    expect(woocommerce.verify(SECRET, d)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a signature made with another secret', () => {
    const body = fixture('woocommerce', 'order.created');
    const d = signed(body, 'order.created', { 'X-WC-Webhook-Signature': sign(body, 'another secret') });

    expect(woocommerce.verify(SECRET, d)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a delivery without the signature header and names it', () => {
    const d = delivery(fixture('woocommerce', 'order.created'), {
      'X-WC-Webhook-Topic': 'order.created',
      'X-WC-Webhook-Delivery-ID': 'd1',
    });

    expect(woocommerce.verify(SECRET, d)).toMatchObject({
      reason: 'missing_headers',
      message: /X-WC-Webhook-Signature/,
    });
  });

  it('recognises the unsigned webhook_id ping as a handshake, and nothing else', () => {
    const ping = delivery('webhook_id=12', { 'User-Agent': 'WooCommerce/9.1.2 Hookshot (WordPress/6.5.4)' });
    const order = signed(fixture('woocommerce', 'order.created'), 'order.created');

    expect(woocommerce.isHandshake?.(ping)).toBe(true);
    expect(woocommerce.verify(SECRET, ping)).toMatchObject({ reason: 'missing_headers' });
    expect(woocommerce.isHandshake?.(order)).toBe(false);
    expect(woocommerce.isHandshake?.(delivery('webhook_id=12&x=1', {}))).toBe(false);
  });
});

describe('woocommerce parse', () => {
  it('turns a processing order into order.placed with minor-unit money and identifiers', () => {
    // Act
    const parsed = parse(fixture('woocommerce', 'order.created'), 'order.created');
    // Assert
    expect(parsed.topic).toBe('order.created');
    expect(parsed.deliveryId).toMatch(/^8f2b1c9e4a7d3f6b0e5c2a9d8b7f4e1c:[0-9a-f]{16}$/);
    expect(onlyEvent(parsed.result)).toEqual({
      name: 'order.placed',
      key: 'order:727',
      occurredAt: '2025-06-11T16:28:02.000Z',
      identifiers: { email: 'john.doe@example.com', phone: '+15555555555', wooCustomerId: '26' },
      profile: { firstName: 'John', lastName: 'Doe' },
      data: {
        provider: 'woocommerce',
        orderId: '727',
        orderNumber: '727',
        cartId: 'd2f2c4a8e2b37f1d9c0e5b4a3f2e1d0c',
        total: { amountMinor: 2935, currency: 'EUR' },
        lineItems: [
          { productId: '93', name: 'Woo Single #1', quantity: 2, unitPrice: { amountMinor: 300, currency: 'EUR' } },
          {
            productId: '22',
            sku: 'Bar3',
            name: 'Ship Your Idea &ndash; Color: Black, Size: M Test',
            quantity: 1,
            unitPrice: { amountMinor: 1200, currency: 'EUR' },
          },
        ],
      },
    });
  });

  it('gives order.created and order.updated of one paid order the same key', () => {
    const created = onlyEvent(parse(fixture('woocommerce', 'order.created'), 'order.created').result);
    const updated = onlyEvent(parse(fixture('woocommerce', 'order.created'), 'order.updated').result);

    expect(updated.key).toBe(created.key);
  });

  it('tells apart two deliveries WooCommerce gave the same delivery id', () => {
    const a = parse(fixture('woocommerce', 'order.created'), 'order.created');
    const b = parse(fixture('woocommerce', 'order.created.pending'), 'order.created');
    const again = parse(fixture('woocommerce', 'order.created'), 'order.created');

    expect(a.deliveryId).not.toBe(b.deliveryId);
    expect(again.deliveryId).toBe(a.deliveryId);
  });

  it('turns each refund of a refunded order into order.refunded keyed by refund id', () => {
    const events = eventsOf(parse(fixture('woocommerce', 'order.updated.refunded'), 'order.updated').result);

    expect(events).toEqual([
      expect.objectContaining({
        name: 'order.refunded',
        key: 'refund:731',
        occurredAt: '2025-06-14T09:05:12.000Z',
        identifiers: { email: 'john.doe@example.com', phone: '+15555555555', wooCustomerId: '26' },
        data: {
          provider: 'woocommerce',
          orderId: '727',
          refundId: '731',
          amount: { amountMinor: 1200, currency: 'EUR' },
        },
      }),
      expect.objectContaining({
        name: 'order.refunded',
        key: 'refund:733',
        data: {
          provider: 'woocommerce',
          orderId: '727',
          refundId: '733',
          amount: { amountMinor: 1735, currency: 'EUR' },
        },
      }),
    ]);
  });

  it('reports a partial refund of a completed order next to the order', () => {
    const order = {
      ...fixtureJson('woocommerce', 'order.updated.refunded'),
      status: 'completed',
      refunds: [{ id: 731, reason: 'Wrong size', total: '-12.00' }],
    };

    const events = eventsOf(parse(JSON.stringify(order), 'order.updated').result);

    expect(events.map((e) => [e.name, e.key])).toEqual([
      ['order.placed', 'order:727'],
      ['order.refunded', 'refund:731'],
    ]);
  });

  it('turns a pending guest order into checkout.started with its payment link', () => {
    const event = onlyEvent(parse(fixture('woocommerce', 'order.created.pending'), 'order.created').result);

    expect(event).toEqual({
      name: 'checkout.started',
      key: 'checkout:741',
      occurredAt: '2025-06-12T07:14:55.000Z',
      identifiers: { email: 'mary.jackson@example.org' },
      profile: { firstName: 'Mary', lastName: 'Jackson' },
      data: {
        provider: 'woocommerce',
        cartId: 'wc_order_Xk2p9QvB7rT1m',
        total: { amountMinor: 2935, currency: 'EUR' },
        lineItems: expect.any(Array),
        recoveryUrl: 'https://example.com/checkout/order-pay/741/?pay_for_order=true&key=wc_order_Xk2p9QvB7rT1m',
      },
    });
  });

  it('ignores a cancelled order with the reason', () => {
    const order = { ...fixtureJson('woocommerce', 'order.created'), status: 'cancelled' };

    expect(parse(JSON.stringify(order), 'order.updated').result).toEqual({
      kind: 'ignored',
      reason: 'a woocommerce order with status "cancelled" is not used by Tend',
    });
  });

  it('ignores an order with no email, valid phone or customer account', () => {
    const order = fixtureJson('woocommerce', 'order.created.pending');
    order.billing = { email: '', phone: '0612345678' };

    expect(parse(JSON.stringify(order), 'order.created').result).toMatchObject({
      kind: 'ignored',
      reason: /cannot be tied to a contact/,
    });
  });

  it('turns customer.created into contact.updated', () => {
    const event = onlyEvent(parse(fixture('woocommerce', 'customer.created'), 'customer.created').result);

    expect(event).toEqual({
      name: 'contact.updated',
      key: 'customer:25:2025-06-10T11:57:51',
      occurredAt: '2025-06-10T11:57:51.000Z',
      identifiers: { email: 'john.doe@example.com', wooCustomerId: '25' },
      profile: { firstName: 'John', lastName: 'Doe' },
      data: { provider: 'woocommerce' },
    });
  });

  it('ignores a topic Tend does not use, naming it', () => {
    expect(parse(fixture('woocommerce', 'order.created'), 'product.updated').result).toEqual({
      kind: 'ignored',
      reason: 'woocommerce topic "product.updated" is not used by Tend',
    });
  });

  it('ignores the ping when it is passed as the raw string', () => {
    const ping = delivery('webhook_id=12', {});

    expect(woocommerce.parse(ping, 'webhook_id=12', {})).toEqual({
      deliveryId: 'ping:12',
      topic: 'ping',
      result: { kind: 'ignored', reason: expect.stringContaining('ping') },
    });
  });

  it('throws a ZodError with the path when a used field is malformed', () => {
    const order = fixtureJson('woocommerce', 'order.created');
    order.total = 'lots';

    expect(() => parse(JSON.stringify(order), 'order.created')).toThrowError(
      expect.objectContaining({ issues: [expect.objectContaining({ path: ['total'] })] }),
    );
  });
});
