import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { alterOneByte, delivery, fixture, fixtureJson } from '../../../test/fixtures/providers/fixtures.ts';
import type { CanonicalEvent } from '../canonical-event.ts';
import { canonicalEventSchema } from './canonical-data.ts';
import { shopify } from './shopify.ts';

const SECRET = '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';

/** Shopify's documented algorithm: base64 HMAC-SHA256 of the raw body keyed by the secret. */
const sign = (body: Buffer, secret = SECRET) => createHmac('sha256', secret).update(body).digest('base64');

const signed = (body: Buffer | string, topic: string, overrides: Record<string, string> = {}) => {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return delivery(bytes, {
    'X-Shopify-Hmac-Sha256': sign(bytes),
    'X-Shopify-Topic': topic,
    'X-Shopify-Event-Id': `event-${topic}`,
    'X-Shopify-Webhook-Id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
    'X-Shopify-Shop-Domain': 'example-shop.myshopify.com',
    ...overrides,
  });
};

const parse = (body: Buffer | string, topic: string) => {
  const d = signed(body, topic);
  expect(shopify.verify(SECRET, d)).toEqual({ ok: true });
  return shopify.parse(d, JSON.parse(d.body.toString('utf8')), {});
};

const onlyEvent = (result: ReturnType<typeof parse>['result']): CanonicalEvent => {
  if (result.kind !== 'events') throw new Error(`expected events, got ignored: ${result.reason}`);
  expect(result.events).toHaveLength(1);
  const [event] = result.events;
  if (!event) throw new Error('no event');
  canonicalEventSchema.parse(event);
  return event;
};

const catchError = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
};

describe('shopify verify', () => {
  it('accepts a body signed with the secret', () => {
    // Arrange
    const d = signed(fixture('shopify', 'orders-create'), 'orders/create');
    // Act
    const result = shopify.verify(SECRET, d);
    // Assert
    expect(result).toEqual({ ok: true });
  });

  it('refuses a body altered by one byte', () => {
    const body = fixture('shopify', 'orders-create');
    const d = signed(body, 'orders/create', { 'X-Shopify-Hmac-Sha256': sign(body) });
    const altered = { ...d, body: alterOneByte(body) };

    expect(shopify.verify(SECRET, altered)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a signature made with another secret', () => {
    const body = fixture('shopify', 'orders-create');
    const d = signed(body, 'orders/create', { 'X-Shopify-Hmac-Sha256': sign(body, 'shpss_someone_else') });

    expect(shopify.verify(SECRET, d)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a delivery without the signature header and names it', () => {
    const body = fixture('shopify', 'orders-create');
    const d = delivery(body, { 'X-Shopify-Topic': 'orders/create', 'X-Shopify-Event-Id': 'e1' });

    expect(shopify.verify(SECRET, d)).toEqual({
      ok: false,
      reason: 'missing_headers',
      message: expect.stringContaining('X-Shopify-Hmac-Sha256'),
    });
  });

  it('refuses a delivery without a topic or an event id', () => {
    const body = fixture('shopify', 'orders-create');
    const noTopic = delivery(body, { 'X-Shopify-Hmac-Sha256': sign(body), 'X-Shopify-Event-Id': 'e1' });
    const noId = delivery(body, { 'X-Shopify-Hmac-Sha256': sign(body), 'X-Shopify-Topic': 'orders/create' });

    expect(shopify.verify(SECRET, noTopic)).toMatchObject({ reason: 'missing_headers', message: /X-Shopify-Topic/ });
    expect(shopify.verify(SECRET, noId)).toMatchObject({ reason: 'missing_headers', message: /X-Shopify-Event-Id/ });
  });

  it('reads headers whatever their case', () => {
    const body = fixture('shopify', 'orders-create');
    const d = delivery(body, {
      'x-shopify-hmac-sha256': sign(body),
      'x-shopify-topic': 'orders/create',
      'x-shopify-webhook-id': 'w1',
    });

    expect(shopify.verify(SECRET, d)).toEqual({ ok: true });
  });
});

describe('shopify parse', () => {
  it('turns orders/create into order.placed with minor-unit money, line items and identifiers', () => {
    // Arrange
    const body = fixture('shopify', 'orders-create');
    // Act
    const parsed = parse(body, 'orders/create');
    // Assert
    expect(parsed).toMatchObject({ deliveryId: 'event-orders/create', topic: 'orders/create' });
    expect(onlyEvent(parsed.result)).toEqual({
      name: 'order.placed',
      key: 'order:5804432113876',
      occurredAt: '2025-03-14T13:26:53.000Z',
      identifiers: {
        email: 'ada.lovelace@example.com',
        phone: '+16135550119',
        shopifyCustomerId: '7010658123987',
      },
      profile: { firstName: 'Ada', lastName: 'Lovelace' },
      data: {
        provider: 'shopify',
        orderId: '5804432113876',
        orderNumber: '1042',
        cartId: 'ae0ed4e40b4fe3c339cc9be09ea0d41b',
        total: { amountMinor: 40994, currency: 'USD' },
        lineItems: [
          {
            productId: '632910392',
            sku: 'IPOD2008PINK',
            name: 'IPod Nano - 8GB - Pink',
            quantity: 1,
            unitPrice: { amountMinor: 19900, currency: 'USD' },
          },
          {
            productId: '921728736',
            name: 'Lightning cable',
            quantity: 2,
            unitPrice: { amountMinor: 9950, currency: 'USD' },
          },
        ],
      },
    });
  });

  it('gives orders/create and orders/paid of one order the same key, so the timeline keeps one', () => {
    const created = onlyEvent(parse(fixture('shopify', 'orders-create'), 'orders/create').result);
    const paid = onlyEvent(parse(fixture('shopify', 'orders-paid'), 'orders/paid').result);

    expect(paid.name).toBe('order.placed');
    expect(paid.key).toBe(created.key);
  });

  it('takes the exact id from admin_graphql_api_id when the numeric id is beyond 2^53', () => {
    const order = fixtureJson('shopify', 'orders-create');
    const body = JSON.stringify(order)
      .replace('"id":5804432113876', '"id":820982911946154508')
      .replace('gid://shopify/Order/5804432113876', 'gid://shopify/Order/820982911946154508');

    const event = onlyEvent(parse(body, 'orders/create').result);

    expect(event.key).toBe('order:820982911946154508');
  });

  it('ignores refunds/create, whose payload names no customer', () => {
    const parsed = parse(fixture('shopify', 'refunds-create'), 'refunds/create');

    expect(parsed.result).toEqual({ kind: 'ignored', reason: expect.stringContaining('orders/updated') });
  });

  it('turns the refunds of orders/updated into order.refunded keyed by refund id', () => {
    const event = onlyEvent(parse(fixture('shopify', 'orders-updated'), 'orders/updated').result);

    expect(event).toEqual({
      name: 'order.refunded',
      key: 'refund:918273645102',
      occurredAt: '2025-03-20T15:02:41.000Z',
      identifiers: { email: 'ada.lovelace@example.com', phone: '+16135550119', shopifyCustomerId: '7010658123987' },
      data: {
        provider: 'shopify',
        orderId: '5804432113876',
        refundId: '918273645102',
        amount: { amountMinor: 9950, currency: 'USD' },
      },
    });
  });

  it('falls back to the refunded line items when a refund has no successful transaction', () => {
    const order = fixtureJson('shopify', 'orders-updated') as { refunds: { transactions: unknown[] }[] };
    for (const refund of order.refunds) refund.transactions = [];

    const event = onlyEvent(parse(JSON.stringify(order), 'orders/updated').result);

    expect(event.data.amount).toEqual({ amountMinor: 9950, currency: 'USD' });
  });

  it('ignores orders/updated when the order has no refunds', () => {
    const parsed = parse(fixture('shopify', 'orders-paid'), 'orders/updated');

    expect(parsed.result).toMatchObject({ kind: 'ignored' });
  });

  it('turns checkouts/create into checkout.started in the buyer currency with a recovery link', () => {
    const event = onlyEvent(parse(fixture('shopify', 'checkouts-create'), 'checkouts/create').result);

    expect(event).toEqual({
      name: 'checkout.started',
      key: 'checkout:b7c93d1f0e2a4c8b9d6e5f4a3b2c1d0e',
      occurredAt: '2025-04-02T22:41:09.000Z',
      identifiers: { email: 'grace.hopper@example.com', phone: '+14155550142', shopifyCustomerId: '7010661564627' },
      profile: { firstName: 'Grace', lastName: 'Hopper' },
      data: {
        provider: 'shopify',
        cartId: 'b7c93d1f0e2a4c8b9d6e5f4a3b2c1d0e',
        total: { amountMinor: 39800, currency: 'CAD' },
        lineItems: [
          {
            productId: '632910392',
            sku: 'IPOD2008BLACK',
            name: 'IPod Nano - 8GB',
            quantity: 2,
            unitPrice: { amountMinor: 19900, currency: 'CAD' },
          },
        ],
        recoveryUrl:
          'https://example-shop.myshopify.com/71234/checkouts/ac/b7c93d1f0e2a4c8b9d6e5f4a3b2c1d0e/recover?key=6dacd6065bb80268bda857ee',
      },
    });
  });

  it('gives checkouts/update the same key as checkouts/create', () => {
    const created = onlyEvent(parse(fixture('shopify', 'checkouts-create'), 'checkouts/create').result);
    const updated = onlyEvent(parse(fixture('shopify', 'checkouts-create'), 'checkouts/update').result);

    expect(updated.key).toBe(created.key);
  });

  it('ignores a checkout that has no email, phone or customer yet', () => {
    const checkout = { ...fixtureJson('shopify', 'checkouts-create'), email: null, phone: null, customer: null };

    const parsed = parse(JSON.stringify(checkout), 'checkouts/create');

    expect(parsed.result).toEqual({ kind: 'ignored', reason: expect.stringContaining('cannot be tied to a contact') });
  });

  it('turns customers/create into contact.updated keyed by id and update time', () => {
    const event = onlyEvent(parse(fixture('shopify', 'customers-create'), 'customers/create').result);

    expect(event).toEqual({
      name: 'contact.updated',
      key: 'customer:7010664020179:2025-05-09T08:12:45-04:00',
      occurredAt: '2025-05-09T12:12:45.000Z',
      identifiers: {
        email: 'katherine.johnson@example.com',
        phone: '+16135550187',
        shopifyCustomerId: '7010664020179',
      },
      profile: { firstName: 'Katherine', lastName: 'Johnson' },
      data: { provider: 'shopify' },
    });
  });

  it('ignores a topic Tend does not use, naming it', () => {
    const parsed = parse(fixture('shopify', 'orders-create'), 'products/create');

    expect(parsed.result).toEqual({ kind: 'ignored', reason: 'shopify topic "products/create" is not used by Tend' });
  });

  it('drops an email that is not an address and a phone that is not E.164', () => {
    const order = { ...fixtureJson('shopify', 'customers-create'), email: 'not-an-email', phone: '613-555-0187' };

    const event = onlyEvent(parse(JSON.stringify(order), 'customers/update').result);

    expect(event.identifiers).toEqual({ shopifyCustomerId: '7010664020179' });
  });

  it('throws a ZodError naming the path when a used field is malformed', () => {
    const order = fixtureJson('shopify', 'orders-create') as { line_items: { price: unknown }[] };
    const [first] = order.line_items;
    if (first) first.price = 'nineteen';
    const d = signed(JSON.stringify(order), 'orders/create');

    const error = catchError(() => shopify.parse(d, order, {}));

    expect(error).toBeInstanceOf(ZodError);
    expect((error as ZodError).issues.map((i) => i.path.join('.'))).toEqual(['line_items.0.price']);
  });
});
