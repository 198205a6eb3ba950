import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '#core/canonical-event.ts';
import { alterOneByte, delivery, fixture, fixtureJson, NOW } from '../../../test/fixtures/providers/fixtures.ts';
import { canonicalEventSchema } from './canonical-data.ts';
import { stripe } from './stripe.ts';

const SECRET = 'whsec_7f3a9c2e1b4d8f6a0c5e9b3d7f1a2c4e';

/** Stripe's documented scheme: hex HMAC-SHA256 of `<t>.<raw body>` keyed by the whole secret. */
const sign = (body: Buffer, t: number, secret = SECRET) =>
  createHmac('sha256', secret)
    .update(Buffer.concat([Buffer.from(`${t}.`), body]))
    .digest('hex');

const signed = (body: Buffer | string, t = NOW, now = NOW, secret = SECRET) => {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return delivery(bytes, { 'Stripe-Signature': `t=${t},v1=${sign(bytes, t, secret)}` }, now);
};

const parse = (body: Buffer | string) => {
  const d = signed(body);
  expect(stripe.verify(SECRET, d)).toEqual({ ok: true });
  return stripe.parse(d, JSON.parse(d.body.toString('utf8')), {});
};

const onlyEvent = (result: ReturnType<typeof parse>['result']): CanonicalEvent => {
  if (result.kind !== 'events') throw new Error(`expected events, got ignored: ${result.reason}`);
  expect(result.events).toHaveLength(1);
  const [event] = result.events;
  if (!event) throw new Error('no event');
  canonicalEventSchema.parse(event);
  return event;
};

/** A fixture with `data.object` changed, re-serialised. */
const withObject = (name: string, changes: Record<string, unknown>, type?: string): string => {
  const event = fixtureJson('stripe', name) as { type: string; data: { object: Record<string, unknown> } };
  Object.assign(event.data.object, changes);
  if (type) event.type = type;
  return JSON.stringify(event);
};

describe('stripe verify', () => {
  it('accepts a body signed with the whsec_ secret used as text', () => {
    // Arrange
    const d = signed(fixture('stripe', 'checkout.session.completed'));
    // Act
    const result = stripe.verify(SECRET, d);
    // Assert
    expect(result).toEqual({ ok: true });
  });

  it('refuses a body altered by one byte', () => {
    const body = fixture('stripe', 'checkout.session.completed');
    const d = { ...signed(body), body: alterOneByte(body) };

    expect(stripe.verify(SECRET, d)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a signature made with another secret', () => {
    const d = signed(fixture('stripe', 'invoice.paid'), NOW, NOW, 'whsec_someone_else');

    expect(stripe.verify(SECRET, d)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a delivery without the Stripe-Signature header', () => {
    const d = delivery(fixture('stripe', 'invoice.paid'), {});

    expect(stripe.verify(SECRET, d)).toMatchObject({ reason: 'missing_headers', message: /Stripe-Signature/ });
  });

  it('refuses a timestamp 301 seconds old and accepts one 299 seconds old', () => {
    const body = fixture('stripe', 'invoice.paid');

    expect(stripe.verify(SECRET, signed(body, NOW - 301))).toMatchObject({ ok: false, reason: 'stale_timestamp' });
    expect(stripe.verify(SECRET, signed(body, NOW - 299))).toEqual({ ok: true });
  });

  it('refuses a timestamp more than 300 seconds in the future', () => {
    expect(stripe.verify(SECRET, signed(fixture('stripe', 'invoice.paid'), NOW + 301))).toMatchObject({
      reason: 'stale_timestamp',
    });
  });

  it('refuses a header without a usable timestamp or without a v1 signature', () => {
    const body = fixture('stripe', 'invoice.paid');
    const v1 = sign(body, NOW);

    expect(stripe.verify(SECRET, delivery(body, { 'Stripe-Signature': `v1=${v1}` }))).toMatchObject({
      reason: 'bad_timestamp',
    });
    expect(stripe.verify(SECRET, delivery(body, { 'Stripe-Signature': `t=soon,v1=${v1}` }))).toMatchObject({
      reason: 'bad_timestamp',
    });
    expect(stripe.verify(SECRET, delivery(body, { 'Stripe-Signature': `t=${NOW},v0=${v1}` }))).toMatchObject({
      reason: 'missing_headers',
    });
  });

  it('accepts any matching v1 among several, as while a secret is rolled', () => {
    const body = fixture('stripe', 'invoice.paid');
    const header = `t=${NOW},v1=${sign(body, NOW, 'whsec_old')},v1=${sign(body, NOW)},v0=${'0'.repeat(64)}`;

    expect(stripe.verify(SECRET, delivery(body, { 'Stripe-Signature': header }))).toEqual({ ok: true });
  });
});

describe('stripe parse', () => {
  it('turns checkout.session.completed into order.placed in minor units with the customer', () => {
    // Act
    const parsed = parse(fixture('stripe', 'checkout.session.completed'));
    // Assert
    expect(parsed).toMatchObject({ deliveryId: 'evt_1PqR8sLkdIwHu7ix3fQw2bNc', topic: 'checkout.session.completed' });
    expect(onlyEvent(parsed.result)).toEqual({
      name: 'order.placed',
      key: 'order:cs_test_a1Yb4GxW0qXpFz2kH7mN9pQrStUvWxYz0aBcDeFgHiJkLmNoPqRs',
      occurredAt: '2024-06-10T10:26:40.000Z',
      identifiers: { email: 'jenny.rosen@example.com', phone: '+33142685300', stripeCustomerId: 'cus_QFv3cW1zX0aB9y' },
      data: {
        provider: 'stripe',
        orderId: 'cs_test_a1Yb4GxW0qXpFz2kH7mN9pQrStUvWxYz0aBcDeFgHiJkLmNoPqRs',
        cartId: 'cart_8f14e45fceea167a',
        total: { amountMinor: 2198, currency: 'EUR' },
        lineItems: [],
      },
    });
  });

  it('keys a session that made an invoice by the invoice, as invoice.paid does', () => {
    const body = withObject('checkout.session.completed', {
      mode: 'subscription',
      invoice: 'in_1MtHbELkdIwHu7ixl4OzzPMv',
    });

    const fromSession = onlyEvent(parse(body).result);
    const fromInvoice = onlyEvent(parse(fixture('stripe', 'invoice.paid')).result);

    expect(fromSession.key).toBe('invoice:in_1MtHbELkdIwHu7ixl4OzzPMv');
    expect(fromInvoice.key).toBe(fromSession.key);
  });

  it('ignores a checkout session whose delayed payment has not succeeded yet', () => {
    const body = withObject('checkout.session.completed', { payment_status: 'unpaid' });

    expect(parse(body).result).toMatchObject({ kind: 'ignored', reason: /async_payment_succeeded/ });
  });

  it('ignores a checkout session that carries no identifier at all', () => {
    const body = withObject('checkout.session.completed', {
      customer: null,
      customer_email: null,
      customer_details: { email: null, phone: null },
    });

    expect(parse(body).result).toMatchObject({ kind: 'ignored', reason: /cannot be tied to a contact/ });
  });

  it('turns customer.subscription.created into subscription.started with plan and amount', () => {
    const event = onlyEvent(parse(fixture('stripe', 'customer.subscription.created')).result);

    expect(event).toEqual({
      name: 'subscription.started',
      key: 'subscription:sub_1MowQVLkdIwHu7ixeRlqHVzs:started',
      occurredAt: '2023-03-23T22:16:09.000Z',
      identifiers: { stripeCustomerId: 'cus_Na6dX7aXxi11N4' },
      data: {
        provider: 'stripe',
        subscriptionId: 'sub_1MowQVLkdIwHu7ixeRlqHVzs',
        plan: 'price_1MowQULkdIwHu7ixraBm864M',
        amount: { amountMinor: 3000, currency: 'USD' },
      },
    });
  });

  it('starts an incomplete subscription when it becomes active, with the same key', () => {
    const created = withObject('customer.subscription.created', { status: 'incomplete' });
    const activated = JSON.parse(withObject('customer.subscription.created', {}, 'customer.subscription.updated'));
    activated.data.previous_attributes = { status: 'incomplete' };

    const first = parse(created).result;
    const second = onlyEvent(parse(JSON.stringify(activated)).result);

    expect(first).toMatchObject({ kind: 'ignored' });
    expect(second).toMatchObject({
      name: 'subscription.started',
      key: 'subscription:sub_1MowQVLkdIwHu7ixeRlqHVzs:started',
    });
  });

  it('ignores other subscription updates', () => {
    const body = withObject('customer.subscription.created', {}, 'customer.subscription.updated');

    expect(parse(body).result).toMatchObject({ kind: 'ignored' });
  });

  it('turns customer.subscription.deleted into subscription.cancelled', () => {
    const event = onlyEvent(parse(fixture('stripe', 'customer.subscription.deleted')).result);

    expect(event).toMatchObject({
      name: 'subscription.cancelled',
      key: 'subscription:sub_1MowQVLkdIwHu7ixeRlqHVzs:cancelled',
      identifiers: { stripeCustomerId: 'cus_Na6dX7aXxi11N4' },
      data: { subscriptionId: 'sub_1MowQVLkdIwHu7ixeRlqHVzs', plan: 'price_1MowQULkdIwHu7ixraBm864M' },
    });
  });

  it('turns invoice.paid into an invoice order.placed with the subscription', () => {
    const event = onlyEvent(parse(fixture('stripe', 'invoice.paid')).result);

    expect(event).toEqual({
      name: 'order.placed',
      key: 'invoice:in_1MtHbELkdIwHu7ixl4OzzPMv',
      occurredAt: '2023-04-23T23:16:09.000Z',
      identifiers: { email: 'jenny.rosen@example.com', stripeCustomerId: 'cus_Na6dX7aXxi11N4' },
      data: {
        provider: 'stripe',
        kind: 'invoice',
        orderId: 'in_1MtHbELkdIwHu7ixl4OzzPMv',
        orderNumber: 'A1B2C3D4-0002',
        subscriptionId: 'sub_1MowQVLkdIwHu7ixeRlqHVzs',
        total: { amountMinor: 3000, currency: 'USD' },
        lineItems: [],
      },
    });
  });

  it('reads the subscription of an invoice from parent.subscription_details in newer API versions', () => {
    const body = withObject('invoice.paid', {
      subscription: undefined,
      parent: { type: 'subscription_details', subscription_details: { subscription: 'sub_new' } },
    });

    expect(onlyEvent(parse(body).result).data.subscriptionId).toBe('sub_new');
  });

  it('ignores a paid invoice for nothing, such as a trial', () => {
    const body = withObject('invoice.paid', { amount_paid: 0 });

    expect(parse(body).result).toMatchObject({ kind: 'ignored' });
  });

  it('turns invoice.payment_failed into payment.failed keyed by attempt', () => {
    const event = onlyEvent(parse(fixture('stripe', 'invoice.payment_failed')).result);

    expect(event).toEqual({
      name: 'payment.failed',
      key: 'invoice:in_1NBDk2LkdIwHu7ixq9Wb0e1f:failed:2',
      occurredAt: '2023-05-24T22:16:07.000Z',
      identifiers: { email: 'jenny.rosen@example.com', stripeCustomerId: 'cus_Na6dX7aXxi11N4' },
      data: {
        provider: 'stripe',
        invoiceId: 'in_1NBDk2LkdIwHu7ixq9Wb0e1f',
        subscriptionId: 'sub_1MowQVLkdIwHu7ixeRlqHVzs',
        amount: { amountMinor: 3000, currency: 'USD' },
      },
    });
  });

  it('ignores an event type Tend does not use, naming it', () => {
    const body = withObject('invoice.paid', {}, 'customer.created');

    const parsed = parse(body);

    expect(parsed.topic).toBe('customer.created');
    expect(parsed.result).toEqual({
      kind: 'ignored',
      reason: 'stripe event type "customer.created" is not used by Tend',
    });
  });

  it('throws a ZodError with the path when a used field is malformed', () => {
    const body = withObject('invoice.paid', { amount_paid: '30.00' });

    expect(() => parse(body)).toThrowError(
      expect.objectContaining({ issues: [expect.objectContaining({ path: ['data', 'object', 'amount_paid'] })] }),
    );
  });
});
