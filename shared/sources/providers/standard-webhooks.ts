import * as z from 'zod';
import { type CanonicalEvent, identifiersSchema, profileSchema } from '#core/canonical-event.ts';
import { formSubmissionSchema } from '../form.schema.ts';
import { verifyStandardWebhook } from '../standard-webhooks.ts';
import { CANONICAL_EVENT_NAMES, canonicalDataShapes } from './canonical-data.ts';
import { compact, type EmptySettings, identifiersOf, profileOf, requiredHeader, toIso, unixToIso } from './common.ts';
import type { Delivery, Parsed, Provider, Verification } from './provider.ts';

/**
 * Standard Webhooks (https://www.standardwebhooks.com): the customer's own systems and forms.
 * Verification is `verifyStandardWebhook` (webhook-id, webhook-timestamp within ±5 minutes,
 * webhook-signature `v1,<base64>` keyed by the `whsec_` secret).
 *
 * The body is either a form submission (`formSubmissionSchema`: `{ email, firstName?, lastName?,
 * fields? }`) or an event envelope naming a canonical event:
 *
 *     { "type": "order.placed", "timestamp": "2025-06-01T10:00:00Z",
 *       "data": { "email": "ada@example.com", "key": "order:1001", "orderId": "1001",
 *                 "total": { "amountMinor": 4200, "currency": "EUR" }, "lineItems": [] } }
 *
 * `data` holds the identifiers (`email`, `phone`, `userId`, `anonymousId`, provider customer
 * ids; at least one), the profile (`firstName`, `lastName`, `properties`), an optional `key`
 * (defaults to the webhook id, so a retry is one event) and the event's canonical data.
 */

export const STANDARD_WEBHOOK_HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;

function verify(secret: string, delivery: Delivery): Verification {
  const check = verifyStandardWebhook(
    secret,
    {
      webhookId: delivery.header(STANDARD_WEBHOOK_HEADERS.id),
      timestamp: delivery.header(STANDARD_WEBHOOK_HEADERS.timestamp),
      signature: delivery.header(STANDARD_WEBHOOK_HEADERS.signature),
      body: delivery.body,
    },
    delivery.nowSeconds,
  );
  return check.ok ? { ok: true } : { ok: false, reason: check.reason, message: check.message };
}

const IDENTIFIER_KEYS = Object.keys(identifiersSchema.shape) as (keyof typeof identifiersSchema.shape)[];

const commonDataShape = {
  ...identifiersSchema.shape,
  firstName: profileSchema.shape.firstName,
  lastName: profileSchema.shape.lastName,
  properties: profileSchema.shape.properties,
  key: z.string().trim().min(1).max(200).optional(),
};

const atLeastOneIdentifier = (data: Record<string, unknown>) => IDENTIFIER_KEYS.some((k) => data[k] !== undefined);

/** The event envelope, `data` checked against the named event's canonical shape. */
export const eventEnvelopeSchema = z.discriminatedUnion(
  'type',
  CANONICAL_EVENT_NAMES.map((type) =>
    z
      .object({
        type: z.literal(type),
        timestamp: z.iso.datetime({ offset: true }).optional(),
        data: z
          .looseObject({ ...commonDataShape, ...canonicalDataShapes[type] })
          .refine(atLeastOneIdentifier, { message: `data needs at least one of ${IDENTIFIER_KEYS.join(', ')}` }),
      })
      .strict(),
  ) as unknown as [z.ZodObject, ...z.ZodObject[]],
);

const isEnvelope = (payload: unknown): boolean => typeof payload === 'object' && payload !== null && 'type' in payload;

function sentAt(delivery: Delivery): string {
  const timestamp = delivery.header(STANDARD_WEBHOOK_HEADERS.timestamp)?.trim();
  return unixToIso(timestamp && /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : delivery.nowSeconds);
}

function fromEnvelope(webhookId: string, delivery: Delivery, payload: unknown): Parsed {
  const envelope = eventEnvelopeSchema.parse(payload) as {
    type: CanonicalEvent['name'];
    timestamp?: string;
    data: Record<string, unknown>;
  };
  const { firstName, lastName, properties, key, ...rest } = envelope.data;
  const identifiers: Record<string, unknown> = {};
  const data: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(rest)) {
    if ((IDENTIFIER_KEYS as string[]).includes(name)) identifiers[name] = value;
    else data[name] = value;
  }
  const profile = profileOf(
    firstName as string | undefined,
    lastName as string | undefined,
    properties as Record<string, string | number | boolean | null> | undefined,
  );
  const event: CanonicalEvent = {
    name: envelope.type,
    key: (key as string | undefined) ?? webhookId,
    occurredAt: envelope.timestamp ? toIso(envelope.timestamp) : sentAt(delivery),
    identifiers: identifiersOf(identifiers),
    ...(profile ? { profile } : {}),
    data: { ...compact(data), provider: 'standard-webhooks' },
  };
  return { deliveryId: webhookId, topic: envelope.type, result: { kind: 'events', events: [event] } };
}

function fromForm(webhookId: string, delivery: Delivery, payload: unknown): Parsed {
  const form = formSubmissionSchema.parse(payload);
  const fields = form.fields ?? {};
  const profile = profileOf(form.firstName, form.lastName, fields);
  const event: CanonicalEvent = {
    name: 'form.submitted',
    key: `form:${webhookId}`,
    occurredAt: sentAt(delivery),
    identifiers: { email: form.email },
    ...(profile ? { profile } : {}),
    data: { provider: 'standard-webhooks', formId: 'form', fields },
  };
  return { deliveryId: webhookId, topic: 'form.submitted', result: { kind: 'events', events: [event] } };
}

function parse(delivery: Delivery, payload: unknown, _settings: EmptySettings): Parsed {
  const webhookId = requiredHeader(delivery, STANDARD_WEBHOOK_HEADERS.id);
  return isEnvelope(payload) ? fromEnvelope(webhookId, delivery, payload) : fromForm(webhookId, delivery, payload);
}

export const standardWebhooks: Provider<EmptySettings> = { kind: 'standard-webhooks', verify, parse };
