import * as z from 'zod';
import {
  type CanonicalEventName,
  identifiersSchema,
  lineItemSchema,
  moneySchema,
  profileSchema,
  propertyValueSchema,
} from '#core/canonical-event.ts';

/**
 * Zod shapes for the canonical `data` of each event, as documented in `canonical-event.ts`. The
 * standard-webhooks envelope validates what a customer's system sends against them, and the
 * provider tests check every normalised event with `canonicalEventSchema`.
 */

/** Every canonical event name, in the order `CanonicalEvent['name']` lists them. */
export const CANONICAL_EVENT_NAMES = [
  'contact.updated',
  'form.submitted',
  'checkout.started',
  'order.placed',
  'order.refunded',
  'subscription.started',
  'subscription.cancelled',
  'payment.failed',
  'nps.responded',
] as const satisfies readonly CanonicalEventName[];

// Compile-time check that the list above names every canonical event.
type Missing = Exclude<CanonicalEventName, (typeof CANONICAL_EVENT_NAMES)[number]>;
const everyNameListed: [Missing] extends [never] ? true : Missing = true;
void everyNameListed;

const id = z.string().min(1).max(200);

const subscriptionShape = {
  subscriptionId: id,
  plan: z.string().min(1).max(200).optional(),
  amount: moneySchema.optional(),
};

export const canonicalDataShapes = {
  'contact.updated': {},
  'form.submitted': {
    formId: id,
    fields: z.record(z.string().min(1).max(100), propertyValueSchema),
  },
  'checkout.started': {
    cartId: id,
    total: moneySchema.optional(),
    lineItems: z.array(lineItemSchema).default([]),
    recoveryUrl: z.url().optional(),
  },
  'order.placed': {
    orderId: id,
    orderNumber: z.string().min(1).max(100).optional(),
    cartId: id.optional(),
    total: moneySchema,
    lineItems: z.array(lineItemSchema).default([]),
  },
  'order.refunded': { orderId: id, refundId: id, amount: moneySchema },
  'subscription.started': subscriptionShape,
  'subscription.cancelled': subscriptionShape,
  'payment.failed': { invoiceId: id, subscriptionId: id.optional(), amount: moneySchema },
  // Not documented in canonical-event.ts yet; the smallest useful shape.
  'nps.responded': { score: z.number().int().min(0).max(10), comment: z.string().max(2_000).optional() },
} satisfies Record<CanonicalEventName, z.ZodRawShape>;

/** A whole canonical event, `data` checked against its name's shape (extra data keys allowed). */
export const canonicalEventSchema = z.discriminatedUnion(
  'name',
  CANONICAL_EVENT_NAMES.map((name) =>
    z
      .object({
        name: z.literal(name),
        key: z.string().min(1).max(500),
        occurredAt: z.iso.datetime({ offset: true }),
        identifiers: identifiersSchema,
        orderRef: z.string().min(1).max(300).optional(),
        profile: profileSchema.optional(),
        data: z.looseObject({ provider: z.string().min(1), ...canonicalDataShapes[name] }),
      })
      .strict(),
  ) as unknown as [z.ZodObject, ...z.ZodObject[]],
);
