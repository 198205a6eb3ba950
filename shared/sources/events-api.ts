import * as z from 'zod';
import {
  type CanonicalEvent,
  e164Schema,
  type Identifiers,
  moneySchema,
  propertyValueSchema,
} from '#core/canonical-event.ts';
import type { Clock } from '#core/clock.ts';
import { emailSchema } from '#core/email-address.ts';
import { parseOrRefuse } from '#core/parse.ts';
import type { InboxStore } from './store.ts';

/**
 * The events API: identify and track calls in batches of up to 100, each stored once under its
 * `messageId` (a retried batch stores nothing new) and processed like a webhook delivery.
 */
export const MAX_BATCH = 100;
export const EVENTS_SOURCE_ID = 'api';

const TRACKABLE = [
  'form.submitted',
  'checkout.started',
  'order.placed',
  'order.refunded',
  'subscription.started',
  'subscription.cancelled',
  'payment.failed',
  'nps.responded',
] as const;

/** The minimum each tracked event must carry for journeys and reports to use it. */
const trackData: Record<(typeof TRACKABLE)[number], z.ZodType> = {
  'form.submitted': z.looseObject({ formId: z.string().min(1).default('api') }),
  'checkout.started': z.looseObject({ cartId: z.string().min(1), total: moneySchema.optional() }),
  'order.placed': z.looseObject({ orderId: z.string().min(1), cartId: z.string().optional(), total: moneySchema }),
  'order.refunded': z.looseObject({ orderId: z.string().min(1), amount: moneySchema }),
  'subscription.started': z.looseObject({ subscriptionId: z.string().min(1) }),
  'subscription.cancelled': z.looseObject({ subscriptionId: z.string().min(1) }),
  'payment.failed': z.looseObject({ invoiceId: z.string().min(1), amount: moneySchema.optional() }),
  'nps.responded': z.looseObject({ score: z.number().int().min(0).max(10), comment: z.string().max(2_000).optional() }),
};

const who = {
  messageId: z.string().min(1).max(200),
  userId: z.string().min(1).max(128).optional(),
  anonymousId: z.string().min(1).max(128).optional(),
  email: emailSchema.optional(),
  phone: e164Schema.optional(),
  timestamp: z.iso.datetime({ offset: true }).optional(),
};
const traitsSchema = z.record(z.string().min(1).max(100), propertyValueSchema);

const identifySchema = z.object({ type: z.literal('identify'), ...who, traits: traitsSchema.default({}) }).strict();
const trackSchema = z
  .object({
    type: z.literal('track'),
    ...who,
    event: z.enum(TRACKABLE, { message: `event must be one of ${TRACKABLE.join(', ')}` }),
    properties: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

const messageSchema = z
  .discriminatedUnion('type', [identifySchema, trackSchema], { message: 'type must be "identify" or "track"' })
  .superRefine((m, ctx) => {
    const traits = m.type === 'identify' ? m.traits : {};
    if (!m.userId && !m.anonymousId && !m.email && !m.phone && !traits.email && !traits.phone) {
      ctx.addIssue({ code: 'custom', message: 'a message needs userId, anonymousId, email or phone' });
    }
    if (m.type === 'track') {
      const data = trackData[m.event].safeParse(m.properties);
      for (const issue of data.success ? [] : data.error.issues) {
        ctx.addIssue({ code: 'custom', path: ['properties', ...issue.path.map(String)], message: issue.message });
      }
    }
  });

export const eventsBatchSchema = z
  .object({ batch: z.array(messageSchema).min(1).max(MAX_BATCH, `a batch holds at most ${MAX_BATCH} messages`) })
  .strict();
export type EventMessage = z.infer<typeof messageSchema>;

const NAME_TRAITS: Record<string, 'firstName' | 'lastName'> = {
  firstName: 'firstName',
  first_name: 'firstName',
  lastName: 'lastName',
  last_name: 'lastName',
};

/** Turns one validated message into its canonical event. Pure. */
export function messageToEvent(m: EventMessage, receivedAt: string): CanonicalEvent {
  const identifiers: Identifiers = {
    ...(m.userId ? { userId: m.userId } : {}),
    ...(m.anonymousId ? { anonymousId: m.anonymousId } : {}),
    ...(m.email ? { email: m.email } : {}),
    ...(m.phone ? { phone: m.phone } : {}),
  };
  const occurredAt = m.timestamp ? new Date(m.timestamp).toISOString() : receivedAt;
  if (m.type === 'track') {
    return {
      name: m.event,
      key: `message:${m.messageId}`,
      occurredAt,
      identifiers,
      data: { ...m.properties, provider: 'api' },
    };
  }
  const profile: {
    firstName?: string;
    lastName?: string;
    properties: Record<string, z.infer<typeof propertyValueSchema>>;
  } = {
    properties: {},
  };
  for (const [key, value] of Object.entries(m.traits)) {
    if ((key === 'email' || key === 'phone') && typeof value === 'string') {
      const parsed = (key === 'email' ? emailSchema : e164Schema).safeParse(value);
      if (parsed.success) identifiers[key] ??= parsed.data;
      continue;
    }
    const nameField = NAME_TRAITS[key];
    if (nameField && typeof value === 'string') profile[nameField] = value;
    else profile.properties[key] = value;
  }
  return {
    name: 'contact.updated',
    key: `message:${m.messageId}`,
    occurredAt,
    identifiers,
    profile,
    data: { provider: 'api' },
  };
}

export interface EventsResult {
  results: { messageId: string; status: 'accepted' | 'duplicate' }[];
}

/**
 * Validates the whole batch first (one bad message refuses the batch and stores nothing), then
 * stores each message once. Stored means acknowledged: processing follows from the stream.
 */
export async function ingestEvents(
  deps: { store: InboxStore; clock: Clock },
  body: unknown,
  keyId: string,
): Promise<EventsResult> {
  // `{ batch: [...] }`, or one message on its own.
  const isBatch = typeof body === 'object' && body !== null && 'batch' in body;
  const { batch } = isBatch
    ? parseOrRefuse(eventsBatchSchema, body, 'the events batch')
    : { batch: [parseOrRefuse(messageSchema, body, 'the event')] };
  const receivedAt = deps.clock.now().toISOString();
  const results: EventsResult['results'] = [];
  // A handful at a time: DynamoDB takes them in parallel, and the order of results is kept.
  for (let i = 0; i < batch.length; i += 10) {
    const chunk = batch.slice(i, i + 10);
    const stored = await Promise.all(
      chunk.map((m) =>
        deps.store.putInboxOnce({
          inboxId: `${EVENTS_SOURCE_ID}:${m.messageId}`,
          sourceId: EVENTS_SOURCE_ID,
          webhookId: m.messageId,
          topic: m.type,
          receivedAt,
          body: JSON.stringify({ ...m, keyId }),
          events: [messageToEvent(m, receivedAt)],
          status: 'received',
        }),
      ),
    );
    chunk.forEach((m, j) => {
      results.push({ messageId: m.messageId, status: stored[j] === 'stored' ? 'accepted' : 'duplicate' });
    });
  }
  return { results };
}
