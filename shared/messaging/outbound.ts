import { isIP } from 'node:net';
import * as z from 'zod';
import { assertUnreachable } from '#core/assert.ts';
import { EVENT_NAMES, type EventName, type TimelineEvent } from '#core/contact.ts';

/**
 * Outbound webhooks: endpoints customers register, the deliveries Tend owes them and the rules
 * for retrying. Pure: the service does the I/O, the adapters the storage.
 */

/** Seconds to wait after failed attempt n (1-based) before attempt n + 1; the first is at once. */
export const RETRY_DELAYS_SECONDS = [30, 2 * 60, 10 * 60, 60 * 60, 6 * 60 * 60, 24 * 60 * 60] as const;
/** Attempts in all: the immediate one plus one per retry delay. */
export const MAX_ATTEMPTS = RETRY_DELAYS_SECONDS.length + 1;
/** Each retry delay is spread by ±10 % so failed deliveries to one endpoint do not retry in step. */
export const RETRY_JITTER = 0.1;
/** A receiver has this long to answer, body included. */
export const ATTEMPT_TIMEOUT_MS = 10_000;
/** While an attempt runs its delivery is leased; a crashed attempt is retried once this lapses. */
export const ATTEMPT_LEASE_SECONDS = 60;
/**
 * The stream attempts a new delivery within seconds; its retry entry is due this much later, so
 * a delivery whose stream invocation was lost (dead-lettered, crashed) is still attempted.
 */
export const FIRST_ATTEMPT_FALLBACK_SECONDS = 5 * 60;
/** After a rotation the previous secret keeps signing alongside the new one this long. */
export const SECRET_OVERLAP_HOURS = 24;
/** How much of a receiver's answer the delivery log keeps. */
export const RESPONSE_BODY_CHARS = 500;
/** Deliveries (and their log entries) expire this long after creation (table TTL). */
export const DELIVERY_RETENTION_DAYS = 30;
/** The envelope must fit in one table item (400 KB) with room to spare. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

/**
 * Delay before the attempt that follows failed attempt `attemptsMade`, jittered with `random`
 * (uniform in [0, 1)); undefined when that was the last attempt.
 */
export function retryDelayMs(attemptsMade: number, random: () => number): number | undefined {
  const base = RETRY_DELAYS_SECONDS[attemptsMade - 1];
  if (base === undefined) return undefined;
  return Math.round(base * 1000 * (1 + (random() * 2 - 1) * RETRY_JITTER));
}

const LOOPBACK_NAMES = /(^|\.)localhost\.?$/i;

/** Literal IPs a public endpoint must not point at: loopback, private, link-local, unspecified. */
function isInternalAddress(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  const version = isIP(bare);
  if (version === 4) {
    const [a = 0, b = 0] = bare.split('.').map(Number);
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  if (version === 6) {
    if (bare === '::' || bare === '::1') return true;
    const mapped = bare.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/);
    if (mapped?.[1]) return isInternalAddress(mapped[1]);
    // fc00::/7 unique local, fe80::/10 link-local; WHATWG URLs write mapped IPv4 in hex.
    return /^f[cd]/.test(bare) || /^fe[89ab]/.test(bare) || bare.startsWith('::ffff:');
  }
  return false;
}

/**
 * Why a URL cannot be an endpoint, or undefined when it can. https only, no credentials, no
 * loopback or private literal addresses, unless `allowInsecure` (local development), which also
 * allows http. Host names are not resolved here: that a name points outside is not checked.
 */
export function endpointUrlProblem(raw: string, allowInsecure: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a valid absolute URL';
  }
  const schemes = allowInsecure ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol)) {
    return allowInsecure ? 'must be an http or https URL' : 'must be an https URL';
  }
  if (url.username || url.password) return 'must not carry credentials (user:password@)';
  if (!allowInsecure && (LOOPBACK_NAMES.test(url.hostname) || isInternalAddress(url.hostname))) {
    return 'must not point at a loopback, private or link-local address';
  }
  return undefined;
}

const eventSelector = z.union([z.enum(EVENT_NAMES), z.literal('*')]);

/** A new endpoint as an administrator submits it; the URL rule depends on the deployment. */
export const endpointInputSchema = (allowInsecure: boolean) =>
  z.object({
    url: z
      .string()
      .trim()
      .max(2048)
      .superRefine((url, ctx) => {
        const problem = endpointUrlProblem(url, allowInsecure);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .transform((url) => new URL(url).href),
    events: z
      .array(eventSelector)
      .min(1, 'subscribe to at least one event, or ["*"] for all')
      .refine(
        (events) => !events.includes('*') || events.length === 1,
        '"*" stands alone: it already means every event',
      )
      .transform((events) => [...new Set(events)]),
    description: z.string().trim().max(500).optional(),
  });
export type EndpointInput = z.infer<ReturnType<typeof endpointInputSchema>>;

/** A signing secret, sealed by the SecretBox under context `endpoint:<endpointId>`. */
export interface EndpointSecret {
  sealed: string;
  createdAt: string;
  /** Set on the previous secret when a rotation starts: it keeps signing until then. */
  expiresAt?: string;
}

export type EndpointStatus = 'active' | 'disabled';

export interface Endpoint {
  endpointId: string;
  url: string;
  /** Canonical event names, or `['*']` for every event. */
  events: (EventName | '*')[];
  description?: string;
  status: EndpointStatus;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  disabledAt?: string;
  disabledReason?: string;
  /** Newest first; more than one only during a rotation's overlap. */
  secrets: EndpointSecret[];
}

/** What the API shows of an endpoint: everything but the secrets. */
export type EndpointSummary = Omit<Endpoint, 'secrets'> & { secretRotatedAt: string; previousSecretExpiresAt?: string };

export function summariseEndpoint(endpoint: Endpoint, now: Date): EndpointSummary {
  const { secrets, ...rest } = endpoint;
  const previous = secrets.slice(1).find((s) => s.expiresAt && s.expiresAt > now.toISOString());
  return {
    ...rest,
    secretRotatedAt: secrets[0]?.createdAt ?? endpoint.createdAt,
    ...(previous?.expiresAt ? { previousSecretExpiresAt: previous.expiresAt } : {}),
  };
}

/** Secrets that sign at `now`: the current one and any previous one still in its overlap. */
export const signingSecrets = (endpoint: Endpoint, now: Date): EndpointSecret[] =>
  endpoint.secrets.filter((s) => !s.expiresAt || s.expiresAt > now.toISOString());

/** Whether an endpoint wants an event. */
export const subscribes = (endpoint: Endpoint, name: string): boolean =>
  endpoint.status === 'active' && endpoint.events.some((e) => e === '*' || e === name);

/** Standard Webhooks' recommended payload shape. */
export interface WebhookEnvelope {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

export const envelope = (type: string, timestamp: Date | string, data: Record<string, unknown>): WebhookEnvelope => ({
  type,
  timestamp: typeof timestamp === 'string' ? timestamp : timestamp.toISOString(),
  data,
});

/**
 * A timeline event as receivers see it: its name as the type, when it happened as the
 * timestamp, the ids beside (not mixed into) the event's own details.
 */
export const eventEnvelope = (event: TimelineEvent): WebhookEnvelope =>
  envelope(event.name, event.at, { eventId: event.eventId, contactId: event.contactId, details: event.data });

export type DeliveryStatus = 'pending' | 'retrying' | 'delivered' | 'failed';

export interface DeliveryAttempt {
  /** 1-based. */
  attempt: number;
  at: string;
  durationMs: number;
  statusCode?: number;
  /** Network error, timeout or why the status counts as a failure. */
  error?: string;
  /** The first RESPONSE_BODY_CHARS characters of the answer. */
  responseBody?: string;
}

export interface Delivery {
  /** Deterministic (endpoint + key) and sent as `webhook-id`, so receivers can deduplicate. */
  deliveryId: string;
  endpointId: string;
  /** What the delivery is for: the event id, or a caller's idempotency key. */
  key: string;
  /** The envelope's `type` (`type` itself names the item kind in the table). */
  eventType: string;
  /** The envelope JSON, fixed at enqueue so every attempt sends the same bytes. */
  payload: string;
  createdAt: string;
  status: DeliveryStatus;
  attemptCount: number;
  attempts: DeliveryAttempt[];
  /** When the next attempt may run (pending or retrying only). */
  nextAttemptAt?: string;
  /** When the retry job looks at it (pending or retrying only); keys its `WEBHOOK-DUE` entry. */
  dueAt?: string;
  /** Set while an attempt runs. */
  leaseUntil?: string;
  deliveredAt?: string;
  failedAt?: string;
  failureReason?: string;
}

/** A delivery log entry: the delivery without its payload. */
export type DeliverySummary = Omit<Delivery, 'payload' | 'leaseUntil'>;

export const summariseDelivery = (delivery: Delivery): DeliverySummary => {
  const { payload: _payload, leaseUntil: _lease, ...rest } = delivery;
  return rest;
};

/** Where a delivery goes after an attempt (or after finding its endpoint gone). */
export type DeliveryTransition =
  | { status: 'delivered'; at: string }
  | { status: 'failed'; at: string; reason: string }
  | { status: 'retrying'; nextAttemptAt: string };

/** A new delivery: pending, attempted now by the stream, looked at by the retry job later. */
export function newDelivery(
  input: { deliveryId: string; endpointId: string; key: string; eventType: string; payload: string },
  now: Date,
): Delivery {
  return {
    ...input,
    createdAt: now.toISOString(),
    status: 'pending',
    attemptCount: 0,
    attempts: [],
    nextAttemptAt: now.toISOString(),
    dueAt: new Date(now.getTime() + FIRST_ATTEMPT_FALLBACK_SECONDS * 1000).toISOString(),
  };
}

/** The delivery after an attempt (if any) and its transition; both stores apply exactly this. */
export function applyTransition(
  delivery: Delivery,
  attempt: DeliveryAttempt | undefined,
  next: DeliveryTransition,
): Delivery {
  const {
    leaseUntil: _lease,
    nextAttemptAt: _next,
    dueAt: _due,
    deliveredAt: _delivered,
    failedAt: _failed,
    failureReason: _reason,
    ...base
  } = delivery;
  const attempts = attempt ? [...delivery.attempts, attempt] : delivery.attempts;
  const updated = { ...base, attempts, attemptCount: attempts.length };
  switch (next.status) {
    case 'delivered':
      return { ...updated, status: 'delivered', deliveredAt: next.at };
    case 'failed':
      return { ...updated, status: 'failed', failedAt: next.at, failureReason: next.reason };
    case 'retrying':
      return { ...updated, status: 'retrying', nextAttemptAt: next.nextAttemptAt, dueAt: next.nextAttemptAt };
    default:
      return assertUnreachable(next);
  }
}

export const isFinished = (delivery: Delivery): boolean =>
  delivery.status === 'delivered' || delivery.status === 'failed';
