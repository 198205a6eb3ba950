import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import type { CanonicalEvent } from '#core/canonical-event.ts';
import { alterOneByte, delivery, fixture, fixtureJson } from '../../../test/fixtures/providers/fixtures.ts';
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

/**
 * The fixtures are Shopify's documented sample payloads (webhook reference,
 * https://shopify.dev/docs/api/webhooks, "Sample Payload" of each topic; see the README next to
 * them). Two things about those samples shape the assertions below:
 * - every id in them is beyond 2^53, so JSON.parse rounds the numeric `id`s; the exact digits come
 *   from `admin_graphql_api_id` where Shopify sends one. Line items carry no product gid, so their
 *   `productId` is the rounded number (788032119674292922 arrives as 788032119674292900);
 * - no documented order, checkout or customer has a phone in E.164 or a checkout/cart token on the
 *   order, so the tests for those paths set them on a copy of the sample.
 */
describe('shopify parse', () => {
  /** The documented orders/create sample, normalised: the order, its customer, its five lines. */
  const documentedOrder: CanonicalEvent = {
    name: 'order.placed',
    key: 'order:820982911946154508',
    occurredAt: '2022-01-01T00:00:00.000Z',
    // The order's own email wins over the customer record's (john@example.com); the billing phone
    // "555-555-SHIP" is not a number, so there is no phone.
    identifiers: { email: 'jon@example.com', shopifyCustomerId: '115310627314723954' },
    profile: { firstName: 'John', lastName: 'Smith' },
    data: {
      provider: 'shopify',
      orderId: '820982911946154508',
      orderNumber: '1234',
      total: { amountMinor: 40495, currency: 'USD' },
      lineItems: [
        {
          productId: '788032119674292900',
          sku: 'SKU2006-001',
          name: 'Aviator sunglasses',
          quantity: 1,
          unitPrice: { amountMinor: 8999, currency: 'USD' },
        },
        {
          sku: 'LENS-PROTECT-2YR',
          name: 'Lens Protection Plan (2 Year)',
          quantity: 1,
          unitPrice: { amountMinor: 1999, currency: 'USD' },
        },
        {
          sku: 'CASE-LEATHER-PREM',
          name: 'Premium Leather Case',
          quantity: 1,
          unitPrice: { amountMinor: 2499, currency: 'USD' },
        },
        {
          productId: '788032119674292900',
          sku: 'SKU2006-020',
          name: 'Mid-century lounger',
          quantity: 1,
          unitPrice: { amountMinor: 15999, currency: 'USD' },
        },
        {
          productId: '788032119674292900',
          sku: 'SKU2006-035',
          name: 'Coffee table',
          quantity: 1,
          unitPrice: { amountMinor: 11999, currency: 'USD' },
        },
      ],
    },
  };

  /** The documented checkouts/create (and identical checkouts/update) sample, normalised. */
  const documentedCheckout: CanonicalEvent = {
    name: 'checkout.started',
    key: 'checkout:123123123',
    occurredAt: '2022-01-01T00:00:00.000Z',
    identifiers: { email: 'example@email.com', shopifyCustomerId: '603851970716743426' },
    profile: { firstName: 'John', lastName: 'Smith' },
    data: {
      provider: 'shopify',
      cartId: '123123123',
      total: { amountMinor: 42188, currency: 'USD' },
      lineItems: [
        {
          productId: '632910392',
          sku: 'IPOD2008PINK',
          name: 'IPod Nano - 8GB',
          quantity: 1,
          unitPrice: { amountMinor: 19900, currency: 'USD' },
        },
        {
          productId: '632910392',
          sku: 'IPOD2008PINK',
          name: 'IPod Nano - 8GB',
          quantity: 1,
          unitPrice: { amountMinor: 19900, currency: 'USD' },
        },
      ],
      recoveryUrl: 'https://checkout.local/548380009/checkouts/123123123/recover?key=example-secret-token',
    },
  };

  /** The documented customers/create (and identical customers/update) sample, normalised. */
  const documentedCustomer: CanonicalEvent = {
    name: 'contact.updated',
    key: 'customer:706405506930370084:2021-12-31T19:00:00-05:00',
    occurredAt: '2022-01-01T00:00:00.000Z',
    identifiers: { email: 'bob@biller.com', shopifyCustomerId: '706405506930370084' },
    profile: { firstName: 'Bob', lastName: 'Biller' },
    data: { provider: 'shopify' },
  };

  it('turns orders/create into order.placed with minor-unit money, line items and identifiers', () => {
    // Arrange
    const body = fixture('shopify', 'orders-create');
    // Act
    const parsed = parse(body, 'orders/create');
    // Assert
    expect(parsed).toMatchObject({ deliveryId: 'event-orders/create', topic: 'orders/create' });
    expect(onlyEvent(parsed.result)).toEqual(documentedOrder);
  });

  it('turns orders/paid into the same order.placed, so the timeline keeps one', () => {
    const paid = onlyEvent(parse(fixture('shopify', 'orders-paid'), 'orders/paid').result);

    expect(paid).toEqual(documentedOrder);
  });

  it('takes the exact order and customer ids from admin_graphql_api_id, beyond 2^53', () => {
    const order = fixtureJson('shopify', 'orders-create') as { id: number; customer: { id: number } };

    const event = onlyEvent(parse(fixture('shopify', 'orders-create'), 'orders/create').result);

    // JSON.parse has rounded the numeric ids; the event still carries the exact ones.
    expect(String(order.id)).not.toBe('820982911946154508');
    expect(String(order.customer.id)).not.toBe('115310627314723954');
    expect(event.key).toBe('order:820982911946154508');
    expect(event.identifiers.shopifyCustomerId).toBe('115310627314723954');
  });

  it('reads a checkout token as the cart id and an E.164 phone when the order has them', () => {
    // Not in the documented sample (both are null there): set on a copy.
    const order = { ...fixtureJson('shopify', 'orders-create'), checkout_token: 'c0ffee', phone: '+1 (613) 555-0119' };

    const event = onlyEvent(parse(JSON.stringify(order), 'orders/create').result);

    expect(event.data.cartId).toBe('c0ffee');
    expect(event.identifiers).toEqual({
      email: 'jon@example.com',
      phone: '+16135550119',
      shopifyCustomerId: '115310627314723954',
    });
  });

  it('turns refunds/create into order.refunded for whoever placed the order, keyed like orders/updated', () => {
    // The documented sample: two successful refund transactions of 75.00 and 10.00.
    const payload = fixture('shopify', 'refunds-create');
    const refund = JSON.parse(payload.toString('utf8')) as { admin_graphql_api_id: string; order_id: number };
    const event = onlyEvent(parse(payload, 'refunds/create').result);

    expect(event).toMatchObject({
      name: 'order.refunded',
      key: `refund:${refund.admin_graphql_api_id.split('/').pop()}`,
      identifiers: {},
      orderRef: `shopify:${String(refund.order_id)}`,
      data: { provider: 'shopify', orderId: String(refund.order_id), amount: { amountMinor: 8500, currency: 'USD' } },
    });
  });

  it('turns the refunds of orders/updated into order.refunded keyed by refund id', () => {
    // orders-updated.json is built on an order with a refund: the documented orders/updated
    // sample has `"refunds": []`, so it cannot show this path.
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

  it('turns checkouts/create into checkout.started with a recovery link', () => {
    const event = onlyEvent(parse(fixture('shopify', 'checkouts-create'), 'checkouts/create').result);

    expect(event).toEqual(documentedCheckout);
  });

  it('turns checkouts/update into the same checkout.started, keyed by the checkout token', () => {
    const event = onlyEvent(parse(fixture('shopify', 'checkouts-update'), 'checkouts/update').result);

    expect(event).toEqual(documentedCheckout);
  });

  it("prices a checkout in the buyer's presentment currency", () => {
    // The documented sample has USD for both; a buyer paying in CAD is set on a copy.
    const checkout = { ...fixtureJson('shopify', 'checkouts-create'), presentment_currency: 'CAD' };

    const event = onlyEvent(parse(JSON.stringify(checkout), 'checkouts/create').result);

    expect(event.data.total).toEqual({ amountMinor: 42188, currency: 'CAD' });
    expect((event.data.lineItems as { unitPrice: unknown }[]).map((l) => l.unitPrice)).toEqual([
      { amountMinor: 19900, currency: 'CAD' },
      { amountMinor: 19900, currency: 'CAD' },
    ]);
  });

  it('ignores a checkout that has no email, phone or customer yet', () => {
    const checkout = { ...fixtureJson('shopify', 'checkouts-create'), email: null, phone: null, customer: null };

    const parsed = parse(JSON.stringify(checkout), 'checkouts/create');

    expect(parsed.result).toEqual({ kind: 'ignored', reason: expect.stringContaining('cannot be tied to a contact') });
  });

  it('turns customers/create into contact.updated keyed by id and update time', () => {
    const event = onlyEvent(parse(fixture('shopify', 'customers-create'), 'customers/create').result);

    expect(event).toEqual(documentedCustomer);
  });

  it('turns customers/update into contact.updated keyed by id and update time', () => {
    const event = onlyEvent(parse(fixture('shopify', 'customers-update'), 'customers/update').result);

    expect(event).toEqual(documentedCustomer);
  });

  it('gives a later customers/update a new key, so each change reaches the timeline', () => {
    const updated = { ...fixtureJson('shopify', 'customers-update'), updated_at: '2022-02-01T10:00:00-05:00' };

    const event = onlyEvent(parse(JSON.stringify(updated), 'customers/update').result);

    expect(event.key).toBe('customer:706405506930370084:2022-02-01T10:00:00-05:00');
    expect(event.key).not.toBe(documentedCustomer.key);
  });

  it("normalises a customer's email case and an E.164 phone", () => {
    // The documented customer has no phone; Shopify stores phones in E.164.
    const customer = { ...fixtureJson('shopify', 'customers-create'), email: 'Bob@Biller.com', phone: '+16135550187' };

    const event = onlyEvent(parse(JSON.stringify(customer), 'customers/create').result);

    expect(event.identifiers).toEqual({
      email: 'bob@biller.com',
      phone: '+16135550187',
      shopifyCustomerId: '706405506930370084',
    });
  });

  it('ignores a topic Tend does not use, naming it', () => {
    const parsed = parse(fixture('shopify', 'products-create'), 'products/create');

    expect(parsed.result).toEqual({ kind: 'ignored', reason: 'shopify topic "products/create" is not used by Tend' });
  });

  it('drops an email that is not an address and a phone that is not E.164', () => {
    const customer = { ...fixtureJson('shopify', 'customers-create'), email: 'not-an-email', phone: '613-555-0187' };

    const event = onlyEvent(parse(JSON.stringify(customer), 'customers/update').result);

    expect(event.identifiers).toEqual({ shopifyCustomerId: '706405506930370084' });
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
