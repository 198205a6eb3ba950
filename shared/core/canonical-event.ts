import * as z from 'zod';
import { emailSchema } from './email-address.ts';

/**
 * What every source (store, form, payment provider, events API, CSV import) is turned into: a
 * canonical event about one person, named from the fixed list in `contact.ts`, with the
 * identifiers that say who that person is.
 */

/** ISO 4217 code and an integer amount in the currency's minor unit (cents, pence, yen). */
export const moneySchema = z.object({
  amountMinor: z.number().int(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'a three-letter ISO 4217 currency code, upper case'),
});
export type Money = z.infer<typeof moneySchema>;

export const lineItemSchema = z.object({
  productId: z.string().optional(),
  sku: z.string().optional(),
  name: z.string(),
  quantity: z.number().int().nonnegative(),
  unitPrice: moneySchema,
});
export type LineItem = z.infer<typeof lineItemSchema>;

/** E.164: `+` then 8 to 15 digits. */
export const e164Schema = z.string().regex(/^\+[1-9]\d{7,14}$/, 'a phone number in E.164 form, e.g. +14155550123');

/**
 * The identifiers an event carries. Each resolves to at most one contact; see `identity.ts`.
 * Provider ids are kept as strings (Shopify and WooCommerce send numbers).
 */
export const identifiersSchema = z
  .object({
    email: emailSchema.optional(),
    phone: e164Schema.optional(),
    shopifyCustomerId: z.string().min(1).max(64).optional(),
    stripeCustomerId: z.string().min(1).max(64).optional(),
    wooCustomerId: z.string().min(1).max(64).optional(),
    /** The id the customer's own systems use (events API `userId`). */
    userId: z.string().min(1).max(128).optional(),
    /** A device or browser id from before the person was known (events API `anonymousId`). */
    anonymousId: z.string().min(1).max(128).optional(),
  })
  .strict();
export type Identifiers = z.infer<typeof identifiersSchema>;
export type IdentifierKind = keyof Identifiers;

export const propertyValueSchema = z.union([z.string().max(2_000), z.number(), z.boolean(), z.null()]);
export type PropertyValue = z.infer<typeof propertyValueSchema>;

/** Profile facts an event states about the person; applied with provenance (source, time). */
export const profileSchema = z
  .object({
    firstName: z.string().trim().max(100).optional(),
    lastName: z.string().trim().max(100).optional(),
    properties: z.record(z.string().min(1).max(100), propertyValueSchema).optional(),
  })
  .strict();
export type Profile = z.infer<typeof profileSchema>;

export interface CanonicalEvent {
  name:
    | 'contact.updated'
    | 'form.submitted'
    | 'checkout.started'
    | 'order.placed'
    | 'order.refunded'
    | 'subscription.started'
    | 'subscription.cancelled'
    | 'payment.failed'
    | 'nps.responded';
  /**
   * Identifies the business fact within its source, e.g. `order:4501` or `checkout:abc`. Two
   * deliveries that describe the same fact (Shopify `orders/create` then `orders/paid`) share it,
   * so the timeline gets one event.
   */
  key: string;
  /** When it happened according to the provider (ISO 8601). */
  occurredAt: string;
  identifiers: Identifiers;
  /**
   * For an event that names no person but an order (Shopify `refunds/create`): the contact is
   * the one that placed `<provider>:<orderId>`. Used only when `identifiers` is empty.
   */
  orderRef?: string;
  profile?: Profile;
  /** Event-specific canonical data; see the shapes below. */
  data: Record<string, unknown>;
}

/**
 * Canonical data shapes (every one also carries `provider`):
 * - `order.placed`: `{ orderId, orderNumber?, cartId?, total: Money, lineItems: LineItem[] }`
 * - `checkout.started`: `{ cartId, total?: Money, lineItems: LineItem[], recoveryUrl? }`
 * - `order.refunded`: `{ orderId, refundId, amount: Money }`
 * - `subscription.started` / `subscription.cancelled`: `{ subscriptionId, plan?, amount?: Money }`
 * - `payment.failed`: `{ invoiceId, subscriptionId?, amount: Money }`
 * - `form.submitted`: `{ formId, fields: Record<string, PropertyValue> }`
 * - `contact.updated`: `{}` (the profile says what changed)
 */
export type CanonicalEventName = CanonicalEvent['name'];

/** What a provider makes of one verified delivery. */
export type Normalised =
  | { kind: 'events'; events: CanonicalEvent[] }
  /** A topic Tend does not use: stored and shown as ignored, never failed. */
  | { kind: 'ignored'; reason: string };

/** Minor units per major unit for the currencies that do not use two decimals. */
const MINOR_DIGITS: Record<string, number> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
};

/** Converts a decimal string such as Shopify's `"19.99"` into minor units without float error. */
export function toMinorUnits(decimal: string | number, currency: string): Money {
  const code = currency.toUpperCase();
  const digits = MINOR_DIGITS[code] ?? 2;
  const text = typeof decimal === 'number' ? decimal.toFixed(digits) : decimal.trim();
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new Error(`"${text}" is not a decimal amount`);
  const [, sign, whole, fraction = ''] = match;
  const padded = (fraction + '0'.repeat(digits)).slice(0, digits);
  const amount = Number(whole) * 10 ** digits + (digits ? Number(padded) : 0);
  return { amountMinor: sign === '-' ? -amount : amount, currency: code };
}
