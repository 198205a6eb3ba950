import * as z from 'zod';
import type { CanonicalEvent, Identifiers, Money, Normalised } from '#core/canonical-event.ts';
import {
  badSignature,
  compact,
  currencySchema,
  type EmptySettings,
  hasIdentifier,
  hmacSha256,
  identifiersOf,
  ignored,
  missingHeader,
  NO_IDENTIFIER,
  optionalEmail,
  optionalPhone,
  optionalText,
  sameBytes,
  unixToIso,
} from './common.ts';
import type { Delivery, Parsed, Provider, Verification } from './provider.ts';

/**
 * Stripe webhooks (https://docs.stripe.com/webhooks#verify-manually).
 *
 * Signature: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…][,v0=…]`; each v1 is the hex
 * HMAC-SHA256 of `<t>.<raw body>` keyed by the endpoint secret exactly as shown (`whsec_…`, used as
 * UTF-8 text, not decoded). Any v1 may match (Stripe sends two while a secret is rolled); v0 is
 * test-mode legacy and ignored. The timestamp must be within 300 s of the server clock.
 *
 * Amounts in Stripe objects are already integers in the currency's smallest unit; currencies are
 * lower case.
 */

export const STRIPE_SIGNATURE_HEADER = 'Stripe-Signature';
export const STRIPE_TOLERANCE_SECONDS = 300;

function verify(secret: string, delivery: Delivery): Verification {
  const header = delivery.header(STRIPE_SIGNATURE_HEADER)?.trim();
  if (!header) return missingHeader(STRIPE_SIGNATURE_HEADER);
  let timestamp: string | undefined;
  const signatures: string[] = [];
  for (const element of header.split(',')) {
    const at = element.indexOf('=');
    if (at < 0) continue;
    const name = element.slice(0, at).trim();
    const value = element.slice(at + 1).trim();
    if (name === 't') timestamp = value;
    else if (name === 'v1') signatures.push(value);
  }
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) {
    return { ok: false, reason: 'bad_timestamp', message: `${STRIPE_SIGNATURE_HEADER} has no t=<unix seconds>` };
  }
  if (signatures.length === 0) {
    return { ok: false, reason: 'missing_headers', message: `${STRIPE_SIGNATURE_HEADER} has no v1 signature` };
  }
  const expected = hmacSha256(secret, `${timestamp}.`, delivery.body);
  const matches = signatures.some((s) => /^[0-9a-f]{64}$/i.test(s) && sameBytes(Buffer.from(s, 'hex'), expected));
  if (!matches) return badSignature(STRIPE_SIGNATURE_HEADER);
  if (Math.abs(delivery.nowSeconds - Number(timestamp)) > STRIPE_TOLERANCE_SECONDS) {
    return {
      ok: false,
      reason: 'stale_timestamp',
      message: `${STRIPE_SIGNATURE_HEADER} t= is more than ${STRIPE_TOLERANCE_SECONDS} seconds away from the server clock`,
    };
  }
  return { ok: true };
}

// ---- Payload schemas (only the fields Tend reads are declared; the rest pass through) ----------

const stripeId = z.string().min(1).max(255);
/** An id, or the object when expanded (webhooks send the id). */
const reference = z.union([stripeId, z.looseObject({ id: stripeId })]).nullish();
const referenceId = (value: z.infer<typeof reference>): string | undefined =>
  typeof value === 'string' ? value : (value?.id ?? undefined);
const amount = z.number().int();

const eventSchema = <T extends z.ZodType>(object: T) =>
  z.looseObject({
    id: stripeId,
    type: z.string().min(1),
    // Seconds since the epoch; bounded to what a Date can hold (year 275760).
    created: z.number().int().nonnegative().max(8_640_000_000_000),
    data: z.looseObject({ object, previous_attributes: z.record(z.string(), z.unknown()).nullish() }),
  });

const envelopeSchema = eventSchema(z.looseObject({}));

const checkoutSessionSchema = z.looseObject({
  id: stripeId,
  mode: z.string(),
  payment_status: z.string(),
  amount_total: amount.nullish(),
  currency: currencySchema.nullish(),
  client_reference_id: optionalText,
  customer: reference,
  customer_email: optionalText,
  customer_details: z.looseObject({ email: optionalText, phone: optionalText }).nullish(),
  invoice: reference,
});

const priceSchema = z.looseObject({
  id: stripeId,
  nickname: optionalText,
  unit_amount: amount.nullish(),
  currency: currencySchema,
});

const subscriptionSchema = z.looseObject({
  id: stripeId,
  customer: reference,
  status: z.string(),
  items: z.looseObject({
    data: z.array(z.looseObject({ price: priceSchema, quantity: z.number().int().nonnegative().nullish() })),
  }),
});
type StripeSubscription = z.infer<typeof subscriptionSchema>;

const invoiceSchema = z.looseObject({
  id: stripeId,
  number: optionalText,
  customer: reference,
  customer_email: optionalText,
  customer_phone: optionalText,
  amount_paid: amount,
  amount_due: amount,
  currency: currencySchema,
  attempt_count: z.number().int().nonnegative().nullish(),
  /** Before API version 2025-03-31 the subscription is here… */
  subscription: reference,
  /** …and from it, here. */
  parent: z.looseObject({ subscription_details: z.looseObject({ subscription: reference }).nullish() }).nullish(),
});

// ---- Mapping ----------------------------------------------------------------------------------

const money = (amountMinor: number, currency: string): Money => ({ amountMinor, currency: currency.toUpperCase() });

const identifiers = (email: unknown, phone: unknown, customer: z.infer<typeof reference>): Identifiers =>
  identifiersOf({ email: optionalEmail(email), phone: optionalPhone(phone), stripeCustomerId: referenceId(customer) });

const one = (event: CanonicalEvent, what: string): Normalised =>
  hasIdentifier(event.identifiers) ? { kind: 'events', events: [event] } : ignored(`the ${what} ${NO_IDENTIFIER}`);

function checkoutCompleted(payload: unknown): Normalised {
  const event = eventSchema(checkoutSessionSchema).parse(payload);
  const session = event.data.object;
  if (session.mode === 'setup') return ignored('a setup-mode checkout session takes no payment');
  if (session.payment_status === 'unpaid') {
    return ignored(
      'the checkout session is not paid yet (a delayed payment method); Tend records it on checkout.session.async_payment_succeeded',
    );
  }
  if (session.amount_total == null || !session.currency) return ignored('the checkout session states no amount');
  // A session that made an invoice (subscription mode, or invoice_creation) is also reported by
  // invoice.paid: both use the invoice's key so the timeline gets one order.
  const invoiceId = referenceId(session.invoice);
  return one(
    {
      name: 'order.placed',
      key: invoiceId ? `invoice:${invoiceId}` : `order:${session.id}`,
      occurredAt: unixToIso(event.created),
      identifiers: identifiers(
        session.customer_details?.email ?? session.customer_email,
        session.customer_details?.phone,
        session.customer,
      ),
      data: {
        provider: 'stripe',
        orderId: session.id,
        cartId: session.client_reference_id || session.id,
        total: money(session.amount_total, session.currency),
        // Stripe does not put line items in the event; fetching them is an API call.
        lineItems: [],
      },
    },
    'checkout session',
  );
}

function subscriptionData(subscription: StripeSubscription) {
  const item = subscription.items.data[0];
  const price = item?.price;
  return compact({
    provider: 'stripe',
    subscriptionId: subscription.id,
    plan: price?.id,
    amount: price?.unit_amount == null ? undefined : money(price.unit_amount * (item?.quantity ?? 1), price.currency),
  });
}

const INCOMPLETE = new Set(['incomplete', 'incomplete_expired']);
const LIVE = new Set(['active', 'trialing', 'past_due']);

function subscriptionEvent(payload: unknown, type: string): Normalised {
  const event = eventSchema(subscriptionSchema).parse(payload);
  const subscription = event.data.object;
  const started = (): Normalised =>
    one(
      {
        name: 'subscription.started',
        key: `subscription:${subscription.id}:started`,
        occurredAt: unixToIso(event.created),
        identifiers: identifiers(undefined, undefined, subscription.customer),
        data: subscriptionData(subscription),
      },
      'subscription',
    );
  if (type === 'customer.subscription.created') {
    return INCOMPLETE.has(subscription.status)
      ? ignored('the subscription is incomplete until its first payment succeeds; it starts on that update')
      : started();
  }
  if (type === 'customer.subscription.updated') {
    const before = event.data.previous_attributes?.status;
    return before === 'incomplete' && LIVE.has(subscription.status)
      ? started()
      : ignored('stripe customer.subscription.updated is used only when an incomplete subscription becomes active');
  }
  return one(
    {
      name: 'subscription.cancelled',
      key: `subscription:${subscription.id}:cancelled`,
      occurredAt: unixToIso(event.created),
      identifiers: identifiers(undefined, undefined, subscription.customer),
      data: subscriptionData(subscription),
    },
    'subscription',
  );
}

function invoiceEvent(payload: unknown, type: string): Normalised {
  const event = eventSchema(invoiceSchema).parse(payload);
  const invoice = event.data.object;
  const subscriptionId =
    referenceId(invoice.subscription) ?? referenceId(invoice.parent?.subscription_details?.subscription);
  const ids = identifiers(invoice.customer_email, invoice.customer_phone, invoice.customer);
  if (type === 'invoice.paid') {
    if (invoice.amount_paid === 0) return ignored('the invoice was for nothing (a trial or a fully discounted period)');
    return one(
      {
        name: 'order.placed',
        key: `invoice:${invoice.id}`,
        occurredAt: unixToIso(event.created),
        identifiers: ids,
        data: compact({
          provider: 'stripe',
          kind: 'invoice',
          orderId: invoice.id,
          orderNumber: invoice.number ?? undefined,
          subscriptionId,
          total: money(invoice.amount_paid, invoice.currency),
          lineItems: [],
        }),
      },
      'invoice',
    );
  }
  return one(
    {
      name: 'payment.failed',
      // Each failed attempt is its own fact; retries of one delivery share the event id instead.
      key: `invoice:${invoice.id}:failed:${invoice.attempt_count ?? event.id}`,
      occurredAt: unixToIso(event.created),
      identifiers: ids,
      data: compact({
        provider: 'stripe',
        invoiceId: invoice.id,
        subscriptionId,
        amount: money(invoice.amount_due, invoice.currency),
      }),
    },
    'invoice',
  );
}

function normalise(type: string, payload: unknown): Normalised {
  switch (type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded':
      return checkoutCompleted(payload);
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted':
      return subscriptionEvent(payload, type);
    case 'invoice.paid':
    case 'invoice.payment_failed':
      return invoiceEvent(payload, type);
    default:
      return ignored(`stripe event type "${type}" is not used by Tend`);
  }
}

function parse(_delivery: Delivery, payload: unknown, _settings: EmptySettings): Parsed {
  const envelope = envelopeSchema.parse(payload);
  return { deliveryId: envelope.id, topic: envelope.type, result: normalise(envelope.type, payload) };
}

export const stripe: Provider<EmptySettings> = { kind: 'stripe', verify, parse };
