import * as z from 'zod';
import {
  type CanonicalEvent,
  type Identifiers,
  type LineItem,
  type Money,
  type Normalised,
  toMinorUnits,
} from '#core/canonical-event.ts';
import {
  badSignature,
  compact,
  currencySchema,
  decimalSchema,
  type EmptySettings,
  eventsOr,
  hasIdentifier,
  hmacSha256,
  identifiersOf,
  ignored,
  isoDateTimeSchema,
  missingHeader,
  NO_IDENTIFIER,
  optionalEmail,
  optionalPhone,
  optionalText,
  profileOf,
  providerIdSchema,
  requiredHeader,
  sameBytes,
  toIso,
} from './common.ts';
import type { Delivery, Parsed, Provider, Verification } from './provider.ts';

/**
 * Shopify webhooks (https://shopify.dev/docs/apps/build/webhooks).
 *
 * Signature: `X-Shopify-Hmac-Sha256` is the base64 HMAC-SHA256 of the raw body keyed by the app's
 * client secret (or the shop's webhook signing secret for webhooks made in the admin). The event
 * id is `X-Shopify-Event-Id` (the same on every retry; `X-Shopify-Webhook-Id` on older
 * deliveries), the topic `X-Shopify-Topic`. Payloads are the REST resources of the topic.
 *
 * Refunds: a `refunds/create` payload names the order but not the customer; it becomes
 * `order.refunded` for whoever placed that order (Tend keeps an order → contact index). An
 * `orders/updated` order carries its `refunds` with the customer; each refund there becomes
 * `order.refunded` with the same `refund:<id>` key, so subscribing to both records it once.
 */

export const SHOPIFY_HEADERS = {
  signature: 'X-Shopify-Hmac-Sha256',
  topic: 'X-Shopify-Topic',
  eventId: 'X-Shopify-Event-Id',
  webhookId: 'X-Shopify-Webhook-Id',
} as const;

const eventIdOf = (delivery: Delivery): string | undefined =>
  delivery.header(SHOPIFY_HEADERS.eventId)?.trim() || delivery.header(SHOPIFY_HEADERS.webhookId)?.trim() || undefined;

function verify(secret: string, delivery: Delivery): Verification {
  const given = delivery.header(SHOPIFY_HEADERS.signature)?.trim();
  if (!given) return missingHeader(SHOPIFY_HEADERS.signature);
  if (!delivery.header(SHOPIFY_HEADERS.topic)?.trim()) return missingHeader(SHOPIFY_HEADERS.topic);
  if (!eventIdOf(delivery)) return missingHeader(SHOPIFY_HEADERS.eventId, ` (or ${SHOPIFY_HEADERS.webhookId})`);
  const expected = hmacSha256(secret, delivery.body);
  return sameBytes(Buffer.from(given, 'base64'), expected) ? { ok: true } : badSignature(SHOPIFY_HEADERS.signature);
}

// ---- Payload schemas (only the fields Tend reads are declared; the rest pass through) ----------

/** Numeric ids above 2^53 lose digits in JSON.parse; the GraphQL id carries them exactly. */
const gidSchema = z.string().optional();

const customerSchema = z.looseObject({
  id: providerIdSchema,
  admin_graphql_api_id: gidSchema,
  email: optionalText,
  phone: optionalText,
  first_name: optionalText,
  last_name: optionalText,
  created_at: isoDateTimeSchema.nullish(),
  updated_at: isoDateTimeSchema.nullish(),
});
type ShopifyCustomer = z.infer<typeof customerSchema>;

const addressSchema = z.looseObject({ first_name: optionalText, last_name: optionalText, phone: optionalText });

const lineItemSchema = z.looseObject({
  product_id: providerIdSchema.nullish(),
  sku: optionalText,
  title: z.string(),
  name: optionalText,
  quantity: z.number().int().nonnegative(),
  price: decimalSchema,
});

const moneySetSchema = z.looseObject({
  shop_money: z.looseObject({ amount: decimalSchema, currency_code: currencySchema }),
  presentment_money: z.looseObject({ amount: decimalSchema, currency_code: currencySchema }),
});

const refundSchema = z.looseObject({
  id: providerIdSchema,
  admin_graphql_api_id: gidSchema,
  order_id: providerIdSchema,
  created_at: isoDateTimeSchema,
  processed_at: isoDateTimeSchema.nullish(),
  transactions: z
    .array(
      z.looseObject({
        kind: z.string(),
        status: z.string(),
        amount: decimalSchema,
        currency: currencySchema.nullish(),
      }),
    )
    .default([]),
  refund_line_items: z
    .array(z.looseObject({ subtotal: decimalSchema.nullish(), subtotal_set: moneySetSchema.nullish() }))
    .default([]),
});
type ShopifyRefund = z.infer<typeof refundSchema>;

const orderSchema = z.looseObject({
  id: providerIdSchema,
  admin_graphql_api_id: gidSchema,
  email: optionalText,
  contact_email: optionalText,
  phone: optionalText,
  created_at: isoDateTimeSchema,
  order_number: z.number().int().nullish(),
  name: optionalText,
  total_price: decimalSchema,
  currency: currencySchema,
  checkout_token: optionalText,
  cart_token: optionalText,
  line_items: z.array(lineItemSchema),
  customer: customerSchema.nullish(),
  billing_address: addressSchema.nullish(),
  refunds: z.array(refundSchema).default([]),
});
type ShopifyOrder = z.infer<typeof orderSchema>;

const checkoutSchema = z.looseObject({
  token: z.string().min(1),
  email: optionalText,
  phone: optionalText,
  created_at: isoDateTimeSchema,
  updated_at: isoDateTimeSchema.nullish(),
  total_price: decimalSchema.nullish(),
  currency: currencySchema.nullish(),
  presentment_currency: currencySchema.nullish(),
  line_items: z.array(lineItemSchema).default([]),
  abandoned_checkout_url: z.url().nullish(),
  customer: customerSchema.nullish(),
  billing_address: addressSchema.nullish(),
});

const customerTopicSchema = customerSchema.extend({ updated_at: isoDateTimeSchema });

// ---- Mapping ----------------------------------------------------------------------------------

/** The exact id: from `gid://shopify/Order/820982911946154508` when present, else `id`. */
function shopifyId(resource: { id: string | number; admin_graphql_api_id?: string | undefined }): string {
  const match = /^gid:\/\/shopify\/\w+\/(\d+)$/.exec(resource.admin_graphql_api_id ?? '');
  return match?.[1] ?? String(resource.id);
}

function identifiers(
  emails: (string | null | undefined)[],
  phones: (string | null | undefined)[],
  customer: ShopifyCustomer | null | undefined,
): Identifiers {
  return identifiersOf({
    email: emails.map(optionalEmail).find(Boolean),
    phone: phones.map(optionalPhone).find(Boolean),
    shopifyCustomerId: customer ? shopifyId(customer) : undefined,
  });
}

const lineItems = (items: z.infer<typeof lineItemSchema>[], currency: string): LineItem[] =>
  items.map((item) =>
    compact({
      productId: item.product_id == null ? undefined : String(item.product_id),
      sku: item.sku?.trim() || undefined,
      name: item.name?.trim() || item.title,
      quantity: item.quantity,
      unitPrice: toMinorUnits(item.price, currency),
    }),
  );

function orderPlaced(order: ShopifyOrder): CanonicalEvent {
  const customer = order.customer;
  return {
    name: 'order.placed',
    key: `order:${shopifyId(order)}`,
    occurredAt: toIso(order.created_at),
    identifiers: identifiers(
      [order.email, order.contact_email, customer?.email],
      [order.phone, customer?.phone, order.billing_address?.phone],
      customer,
    ),
    ...optionalProfile(
      customer?.first_name || order.billing_address?.first_name,
      customer?.last_name || order.billing_address?.last_name,
    ),
    data: compact({
      provider: 'shopify',
      orderId: shopifyId(order),
      orderNumber: order.order_number == null ? (order.name ?? undefined) : String(order.order_number),
      cartId: order.checkout_token || order.cart_token || undefined,
      total: toMinorUnits(order.total_price, order.currency),
      lineItems: lineItems(order.line_items, order.currency),
    }),
  };
}

function optionalProfile(first: string | null | undefined, last: string | null | undefined) {
  const profile = profileOf(first, last);
  return profile ? { profile } : {};
}

/**
 * What a refund gave back: the successful `refund` transactions, or else the refunded line items'
 * subtotals (in presentment currency when Shopify states it). Undefined when it names no amount.
 */
export function refundAmount(refund: ShopifyRefund, fallbackCurrency?: string): Money | undefined {
  const sum = (parts: Money[]): Money | undefined => {
    const currency = parts[0]?.currency;
    if (!currency) return undefined;
    const amountMinor = parts.filter((p) => p.currency === currency).reduce((total, p) => total + p.amountMinor, 0);
    return { amountMinor, currency };
  };
  const transactions = refund.transactions.filter((t) => t.kind === 'refund' && t.status === 'success');
  if (transactions.length > 0) {
    const parts = transactions.flatMap((t) => {
      const currency = t.currency ?? fallbackCurrency;
      return currency ? [toMinorUnits(t.amount, currency)] : [];
    });
    return sum(parts);
  }
  const parts = refund.refund_line_items.flatMap((item) => {
    const presentment = item.subtotal_set?.presentment_money;
    if (presentment) return [toMinorUnits(presentment.amount, presentment.currency_code)];
    if (item.subtotal != null && fallbackCurrency) return [toMinorUnits(item.subtotal, fallbackCurrency)];
    return [];
  });
  return sum(parts);
}

function orderRefunded(refund: ShopifyRefund, ids: Identifiers, fallbackCurrency?: string): CanonicalEvent | undefined {
  const amount = refundAmount(refund, fallbackCurrency);
  if (!amount || amount.amountMinor === 0) return undefined;
  const refundId = shopifyId(refund);
  return {
    name: 'order.refunded',
    key: `refund:${refundId}`,
    occurredAt: toIso(refund.processed_at ?? refund.created_at),
    identifiers: ids,
    data: { provider: 'shopify', orderId: String(refund.order_id), refundId, amount },
  };
}

function normalise(topic: string, payload: unknown): Normalised {
  switch (topic) {
    case 'orders/create':
    case 'orders/paid': {
      const event = orderPlaced(orderSchema.parse(payload));
      return hasIdentifier(event.identifiers)
        ? { kind: 'events', events: [event] }
        : ignored(`the order ${NO_IDENTIFIER}`);
    }
    case 'orders/updated': {
      const order = orderSchema.parse(payload);
      const ids = orderPlaced(order).identifiers;
      if (!hasIdentifier(ids)) return ignored(`the order ${NO_IDENTIFIER}`);
      const events = order.refunds.flatMap((r) => orderRefunded(r, ids, order.currency) ?? []);
      return eventsOr(events, 'shopify orders/updated is read only for its refunds, and this order has none');
    }
    case 'refunds/create': {
      // The payload names the order, not the customer: the contact is whoever placed the order
      // (looked up when the event is processed). The key matches the same refund seen through
      // orders/updated, so subscribing to both records it once.
      const refund = refundSchema.parse(payload);
      // A transaction may leave its currency out (the documented sample does); the refunded
      // line items state theirs.
      const currency = refund.refund_line_items.find((i) => i.subtotal_set?.shop_money)?.subtotal_set?.shop_money
        ?.currency_code;
      const event = orderRefunded(refund, {}, currency);
      if (!event)
        return ignored('the shopify refund gave nothing back (no successful refund transaction or line item)');
      return { kind: 'events', events: [{ ...event, orderRef: `shopify:${String(refund.order_id)}` }] };
    }
    case 'checkouts/create':
    case 'checkouts/update': {
      const checkout = checkoutSchema.parse(payload);
      const customer = checkout.customer;
      const ids = identifiers(
        [checkout.email, customer?.email],
        [checkout.phone, customer?.phone, checkout.billing_address?.phone],
        customer,
      );
      if (!hasIdentifier(ids)) return ignored(`the checkout ${NO_IDENTIFIER} yet`);
      // A checkout's prices are in the buyer's (presentment) currency.
      const currency = checkout.presentment_currency ?? checkout.currency;
      const event: CanonicalEvent = {
        name: 'checkout.started',
        key: `checkout:${checkout.token}`,
        occurredAt: toIso(checkout.created_at),
        identifiers: ids,
        ...optionalProfile(
          customer?.first_name || checkout.billing_address?.first_name,
          customer?.last_name || checkout.billing_address?.last_name,
        ),
        data: compact({
          provider: 'shopify',
          cartId: checkout.token,
          total: checkout.total_price != null && currency ? toMinorUnits(checkout.total_price, currency) : undefined,
          lineItems: currency ? lineItems(checkout.line_items, currency) : [],
          recoveryUrl: checkout.abandoned_checkout_url ?? undefined,
        }),
      };
      return { kind: 'events', events: [event] };
    }
    case 'customers/create':
    case 'customers/update': {
      const customer = customerTopicSchema.parse(payload);
      const event: CanonicalEvent = {
        name: 'contact.updated',
        key: `customer:${shopifyId(customer)}:${customer.updated_at}`,
        occurredAt: toIso(customer.updated_at),
        identifiers: identifiers([customer.email], [customer.phone], customer),
        ...optionalProfile(customer.first_name, customer.last_name),
        data: { provider: 'shopify' },
      };
      return { kind: 'events', events: [event] };
    }
    default:
      return ignored(`shopify topic "${topic}" is not used by Tend`);
  }
}

function parse(delivery: Delivery, payload: unknown, _settings: EmptySettings): Parsed {
  const topic = requiredHeader(delivery, SHOPIFY_HEADERS.topic);
  const deliveryId = eventIdOf(delivery) ?? requiredHeader(delivery, SHOPIFY_HEADERS.eventId);
  return { deliveryId, topic, result: normalise(topic, payload) };
}

export const shopify: Provider<EmptySettings> = { kind: 'shopify', verify, parse };
