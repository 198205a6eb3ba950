import * as z from 'zod';
import { type CanonicalEvent, type Identifiers, type Normalised, toMinorUnits } from '#core/canonical-event.ts';
import {
  badSignature,
  bodyDigest,
  compact,
  currencySchema,
  decimalSchema,
  type EmptySettings,
  eventsOr,
  hasIdentifier,
  hmacSha256,
  identifiersOf,
  ignored,
  missingHeader,
  NO_IDENTIFIER,
  optionalEmail,
  optionalPhone,
  optionalText,
  profileOf,
  providerIdSchema,
  requiredHeader,
  sameBytes,
} from './common.ts';
import type { Delivery, Parsed, Provider, Verification } from './provider.ts';

/**
 * WooCommerce webhooks (https://woocommerce.github.io/woocommerce-rest-api-docs/#webhooks;
 * `WC_Webhook::deliver` in WooCommerce core).
 *
 * Signature: `X-WC-Webhook-Signature` is the base64 HMAC-SHA256 of the raw body keyed by the
 * webhook's secret. Topic: `X-WC-Webhook-Topic` (`order.created`). Payloads are the REST API (v3)
 * resources; webhooks set to the legacy API version wrap them differently and are refused (422).
 *
 * Two quirks of WooCommerce core:
 * - When a webhook is saved, WooCommerce posts `webhook_id=<n>` (form-encoded, unsigned, none of
 *   the X-WC headers) and keeps the webhook only if the answer is 200. `isHandshake` recognises
 *   it; the caller answers 200 and stores nothing. If such a body reaches `parse` (as the raw
 *   string, since it is not JSON) it is ignored as a ping.
 * - `X-WC-Webhook-Delivery-ID` is `wp_hash(webhook id . current second)`: two deliveries of one
 *   webhook in the same second share it. The delivery id Tend keys on is therefore that header
 *   plus a digest of the body.
 */

export const WOO_HEADERS = {
  signature: 'X-WC-Webhook-Signature',
  topic: 'X-WC-Webhook-Topic',
  deliveryId: 'X-WC-Webhook-Delivery-ID',
} as const;

const PING_BODY = /^webhook_id=(\d+)$/;

/** WooCommerce's unsigned `webhook_id=<n>` ping, sent when a webhook is created or re-enabled. */
function isHandshake(delivery: Delivery): boolean {
  return !delivery.header(WOO_HEADERS.signature) && PING_BODY.test(delivery.body.toString('utf8').trim());
}

function verify(secret: string, delivery: Delivery): Verification {
  const given = delivery.header(WOO_HEADERS.signature)?.trim();
  if (!given) return missingHeader(WOO_HEADERS.signature);
  if (!delivery.header(WOO_HEADERS.topic)?.trim()) return missingHeader(WOO_HEADERS.topic);
  if (!delivery.header(WOO_HEADERS.deliveryId)?.trim()) return missingHeader(WOO_HEADERS.deliveryId);
  const expected = hmacSha256(secret, delivery.body);
  return sameBytes(Buffer.from(given, 'base64'), expected) ? { ok: true } : badSignature(WOO_HEADERS.signature);
}

// ---- Payload schemas (only the fields Tend reads are declared; the rest pass through) ----------

/** WooCommerce's `*_gmt` dates: UTC without a zone, e.g. `2017-03-22T16:28:02`. */
const gmtDateSchema = z.iso.datetime({ local: true });
// WooCommerce sends `_gmt` times without a zone; a `Z` some plugins add is accepted too.
const gmtToIso = (value: string): string => new Date(value.endsWith('Z') ? value : `${value}Z`).toISOString();

const addressSchema = z.looseObject({
  first_name: optionalText,
  last_name: optionalText,
  email: optionalText,
  phone: optionalText,
});

const orderSchema = z.looseObject({
  id: providerIdSchema,
  number: z.union([z.string(), z.number()]).nullish(),
  status: z.string(),
  currency: currencySchema,
  total: decimalSchema,
  customer_id: z.number().int().nullish(),
  order_key: optionalText,
  cart_hash: optionalText,
  payment_url: z.url().nullish(),
  date_created_gmt: gmtDateSchema,
  date_modified_gmt: gmtDateSchema.nullish(),
  billing: addressSchema.nullish(),
  line_items: z
    .array(
      z.looseObject({
        name: z.string(),
        product_id: providerIdSchema.nullish(),
        sku: optionalText,
        quantity: z.number().int().nonnegative(),
        price: decimalSchema,
      }),
    )
    .default([]),
  refunds: z.array(z.looseObject({ id: providerIdSchema, total: decimalSchema })).default([]),
});
type WooOrder = z.infer<typeof orderSchema>;

const customerSchema = z.looseObject({
  id: providerIdSchema,
  email: optionalText,
  first_name: optionalText,
  last_name: optionalText,
  billing: addressSchema.nullish(),
  date_created_gmt: gmtDateSchema,
  date_modified_gmt: gmtDateSchema.nullish(),
});

// ---- Mapping ----------------------------------------------------------------------------------

const PLACED = new Set(['processing', 'completed', 'on-hold']);
const UNPAID = new Set(['pending', 'failed']);

const customerId = (id: number | string | null | undefined): string | undefined =>
  id == null || Number(id) <= 0 ? undefined : String(id);

function orderIdentifiers(order: WooOrder): Identifiers {
  return identifiersOf({
    email: optionalEmail(order.billing?.email),
    phone: optionalPhone(order.billing?.phone),
    wooCustomerId: customerId(order.customer_id),
  });
}

function orderEvents(order: WooOrder): Normalised {
  const ids = orderIdentifiers(order);
  if (!hasIdentifier(ids)) return ignored(`the order ${NO_IDENTIFIER}`);
  const orderId = String(order.id);
  const profile = profileOf(order.billing?.first_name, order.billing?.last_name);
  const base = { identifiers: ids, ...(profile ? { profile } : {}) };
  const cartId = order.cart_hash || order.order_key || undefined;
  const lineItems = order.line_items.map((item) =>
    compact({
      productId: item.product_id == null || Number(item.product_id) <= 0 ? undefined : String(item.product_id),
      sku: item.sku?.trim() || undefined,
      name: item.name,
      quantity: item.quantity,
      unitPrice: toMinorUnits(item.price, order.currency),
    }),
  );
  const events: CanonicalEvent[] = [];

  if (PLACED.has(order.status)) {
    events.push({
      name: 'order.placed',
      key: `order:${orderId}`,
      occurredAt: gmtToIso(order.date_created_gmt),
      ...base,
      data: compact({
        provider: 'woocommerce',
        orderId,
        orderNumber: order.number == null ? undefined : String(order.number),
        cartId,
        total: toMinorUnits(order.total, order.currency),
        lineItems,
      }),
    });
  } else if (UNPAID.has(order.status) && cartId) {
    events.push({
      name: 'checkout.started',
      key: `checkout:${orderId}`,
      occurredAt: gmtToIso(order.date_created_gmt),
      ...base,
      data: compact({
        provider: 'woocommerce',
        cartId,
        total: toMinorUnits(order.total, order.currency),
        lineItems,
        recoveryUrl: order.payment_url ?? undefined,
      }),
    });
  }

  // Refunds, partial or full, are listed on the order whatever its status; each is its own fact.
  const refundedAt = gmtToIso(order.date_modified_gmt ?? order.date_created_gmt);
  for (const refund of order.refunds) {
    const amount = toMinorUnits(refund.total, order.currency);
    if (amount.amountMinor === 0) continue;
    events.push({
      name: 'order.refunded',
      key: `refund:${refund.id}`,
      occurredAt: refundedAt,
      ...base,
      data: {
        provider: 'woocommerce',
        orderId,
        refundId: String(refund.id),
        // WooCommerce lists refund totals as negative amounts.
        amount: { ...amount, amountMinor: Math.abs(amount.amountMinor) },
      },
    });
  }
  if (order.status === 'refunded' && order.refunds.length === 0) {
    events.push({
      name: 'order.refunded',
      key: `refund:order-${orderId}`,
      occurredAt: refundedAt,
      ...base,
      data: { provider: 'woocommerce', orderId, refundId: orderId, amount: toMinorUnits(order.total, order.currency) },
    });
  }
  return eventsOr(events, `a woocommerce order with status "${order.status}" is not used by Tend`);
}

function normalise(topic: string, payload: unknown): Normalised {
  switch (topic) {
    case 'order.created':
    case 'order.updated':
      return orderEvents(orderSchema.parse(payload));
    case 'customer.created':
    case 'customer.updated': {
      const customer = customerSchema.parse(payload);
      const ids = identifiersOf({
        email: optionalEmail(customer.email) ?? optionalEmail(customer.billing?.email),
        phone: optionalPhone(customer.billing?.phone),
        wooCustomerId: customerId(customer.id),
      });
      if (!hasIdentifier(ids)) return ignored(`the customer ${NO_IDENTIFIER}`);
      const changedAt = customer.date_modified_gmt ?? customer.date_created_gmt;
      const profile = profileOf(
        customer.first_name || customer.billing?.first_name,
        customer.last_name || customer.billing?.last_name,
      );
      const event: CanonicalEvent = {
        name: 'contact.updated',
        key: `customer:${customer.id}:${changedAt}`,
        occurredAt: gmtToIso(changedAt),
        identifiers: ids,
        ...(profile ? { profile } : {}),
        data: { provider: 'woocommerce' },
      };
      return { kind: 'events', events: [event] };
    }
    default:
      return ignored(`woocommerce topic "${topic}" is not used by Tend`);
  }
}

/**
 * `payload` is the parsed JSON body. A body that is not JSON (WooCommerce's `webhook_id=<n>`
 * ping) must be passed as the raw string: anything that is not an object is ignored as a ping.
 */
function parse(delivery: Delivery, payload: unknown, _settings: EmptySettings): Parsed {
  if (typeof payload !== 'object' || payload === null) {
    const webhookId = PING_BODY.exec(String(payload).trim())?.[1];
    return {
      deliveryId: delivery.header(WOO_HEADERS.deliveryId)?.trim() || `ping:${webhookId ?? bodyDigest(delivery.body)}`,
      topic: delivery.header(WOO_HEADERS.topic)?.trim() || 'ping',
      result: ignored('a woocommerce ping (sent when a webhook is saved) carries no data'),
    };
  }
  const topic = requiredHeader(delivery, WOO_HEADERS.topic);
  const deliveryId = `${requiredHeader(delivery, WOO_HEADERS.deliveryId)}:${bodyDigest(delivery.body)}`;
  return { deliveryId, topic, result: normalise(topic, payload) };
}

export const woocommerce: Provider<EmptySettings> = { kind: 'woocommerce', verify, parse, isHandshake };
