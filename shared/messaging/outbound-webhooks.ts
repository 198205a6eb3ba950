import { randomBytes, randomUUID } from 'node:crypto';
import { assertUnreachable } from '#core/assert.ts';
import type { Clock } from '#core/clock.ts';
import type { TimelineEvent } from '#core/contact.ts';
import { conflict, notFound } from '#core/errors.ts';
import { deterministicId } from '#core/ids.ts';
import { parseOr422 } from '#core/parse.ts';
import type { SecretBox } from '#platform/secret-box.ts';
import { signStandardWebhook } from '#sources/standard-webhooks.ts';
import {
  ATTEMPT_LEASE_SECONDS,
  ATTEMPT_TIMEOUT_MS,
  type Delivery,
  type DeliveryAttempt,
  type DeliverySummary,
  type DeliveryTransition,
  type Endpoint,
  type EndpointSecret,
  type EndpointSummary,
  endpointInputSchema,
  endpointUrlProblem,
  envelope,
  eventEnvelope,
  isFinished,
  MAX_ATTEMPTS,
  MAX_PAYLOAD_BYTES,
  newDelivery,
  RESPONSE_BODY_CHARS,
  retryDelayMs,
  SECRET_OVERLAP_HOURS,
  signingSecrets,
  subscribes,
  summariseEndpoint,
  type WebhookEnvelope,
} from './outbound.ts';
import type { DueEntry, OutboundStore } from './outbound-store.ts';

export interface OutboundWebhooksDeps {
  store: OutboundStore;
  secretBox: SecretBox;
  clock: Clock;
  fetch?: typeof fetch;
  /** Uniform in [0, 1); jitters the retry delays. */
  random?: () => number;
  /** Local development: http and loopback endpoints allowed. */
  allowInsecure: boolean;
  /** How long a receiver has to answer; ATTEMPT_TIMEOUT_MS unless a test needs less. */
  attemptTimeoutMs?: number;
  /** Multiplies retry delays; the local stack divides them by its time scale (default 1). */
  retryDelayScale?: number;
}

/** The endpoint list is read at most this often on the enqueue path (per warm instance). */
export const ENDPOINT_CACHE_MS = 30_000;
/** Attempts retryDue runs at once. */
export const RETRY_CONCURRENCY = 4;
export const USER_AGENT = 'Tend-Webhooks/1';

export type EnqueueOutcome =
  | { outcome: 'enqueued' | 'duplicate'; deliveryId: string }
  | { outcome: 'endpoint-not-found' | 'endpoint-disabled' };

export type AttemptOutcome =
  | { outcome: 'delivered'; statusCode: number }
  | { outcome: 'retrying'; nextAttemptAt: string; statusCode?: number; error?: string }
  | { outcome: 'failed'; reason: string; statusCode?: number; error?: string }
  /** Nothing was sent: already finished, not due yet, being attempted elsewhere, unknown. */
  | { outcome: 'finished' | 'not-due' | 'busy' | 'not-found' }
  /** Sent, but someone else recorded an attempt meanwhile; this one is not in the log. */
  | { outcome: 'conflict' };

export interface RetryReport {
  due: number;
  delivered: number;
  retrying: number;
  failed: number;
  /** Due entries that needed nothing (finished, busy, orphaned). */
  skipped: number;
  /** Attempts that threw (store or secret box trouble); they stay due. */
  errors: { deliveryId: string; error: unknown }[];
}

const generateSecret = () => `whsec_${randomBytes(24).toString('base64')}`;
const secretContext = (endpointId: string) => `endpoint:${endpointId}`;
const addMs = (date: Date, ms: number) => new Date(date.getTime() + ms).toISOString();

/**
 * Outbound webhooks: endpoints with Standard Webhooks signing secrets, deliveries enqueued once
 * per (endpoint, event or key), attempted by the stream and retried on a backoff schedule by a
 * scheduled job, with a delivery log. Delivery is at least once: receivers deduplicate on
 * `webhook-id`, which is the delivery id.
 */
export function createOutboundWebhooks(deps: OutboundWebhooksDeps) {
  const { store, secretBox, clock } = deps;
  const doFetch = deps.fetch ?? globalThis.fetch;
  const random = deps.random ?? Math.random;
  const timeoutMs = deps.attemptTimeoutMs ?? ATTEMPT_TIMEOUT_MS;

  let cache: { loadedAt: number; endpoints: Endpoint[] } | undefined;
  const activeEndpoints = async (): Promise<Endpoint[]> => {
    const now = clock.now().getTime();
    if (!cache || now - cache.loadedAt >= ENDPOINT_CACHE_MS) {
      const endpoints = await store.listEndpoints();
      cache = { loadedAt: now, endpoints: endpoints.filter((e) => e.status === 'active') };
    }
    return cache.endpoints;
  };
  const invalidate = () => {
    cache = undefined;
  };

  // Opening a secret is a KMS call on AWS; a sealed value never changes, so its plaintext is kept.
  const opened = new Map<string, string>();
  const openSecret = async (endpointId: string, secret: EndpointSecret): Promise<string> => {
    const cacheKey = `${endpointId}\u0000${secret.sealed}`;
    let plain = opened.get(cacheKey);
    if (plain === undefined) {
      plain = await secretBox.open(secret.sealed, secretContext(endpointId));
      opened.set(cacheKey, plain);
    }
    return plain;
  };

  const requireEndpoint = async (endpointId: string): Promise<Endpoint> => {
    const endpoint = await store.getEndpoint(endpointId);
    if (!endpoint) throw notFound('endpoint_not_found', `no webhook endpoint "${endpointId}"`);
    return endpoint;
  };

  const createFor = async (endpoint: Endpoint, key: string, body: WebhookEnvelope) => {
    const payload = JSON.stringify(body);
    if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES) {
      throw new Error(`webhook payload for ${key} is over ${MAX_PAYLOAD_BYTES} bytes`);
    }
    const deliveryId = deterministicId('msg', endpoint.endpointId, key);
    const delivery = newDelivery(
      { deliveryId, endpointId: endpoint.endpointId, key, eventType: body.type, payload },
      clock.now(),
    );
    return { deliveryId, created: (await store.createDelivery(delivery)) === 'created' };
  };

  /** POSTs the delivery once; never throws for what the receiver or the network did. */
  const send = async (endpoint: Endpoint, delivery: Delivery, secrets: string[], startedAt: Date) => {
    const timestamp = Math.floor(startedAt.getTime() / 1000);
    const body = Buffer.from(delivery.payload);
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const response = await doFetch(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': USER_AGENT,
          'webhook-id': delivery.deliveryId,
          'webhook-timestamp': String(timestamp),
          // Several during a rotation's overlap: receivers accept any one that verifies.
          'webhook-signature': secrets
            .map((s) => signStandardWebhook(s, delivery.deliveryId, timestamp, body))
            .join(' '),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      const responseBody = await readSnippet(response);
      return { statusCode: response.status, responseBody, durationMs: elapsed() };
    } catch (error) {
      return { error: describeFetchError(error, timeoutMs), durationMs: elapsed() };
    }
  };

  const service = {
    /** Registers an endpoint; its `whsec_` secret is in this answer and never again. */
    async createEndpoint(input: unknown, createdBy: string): Promise<{ endpoint: EndpointSummary; secret: string }> {
      const parsed = parseOr422(endpointInputSchema(deps.allowInsecure), input, 'the endpoint');
      const now = clock.now();
      const endpointId = `ep-${randomUUID()}`;
      const secret = generateSecret();
      const endpoint: Endpoint = {
        endpointId,
        url: parsed.url,
        events: parsed.events,
        ...(parsed.description ? { description: parsed.description } : {}),
        status: 'active',
        createdAt: now.toISOString(),
        createdBy,
        updatedAt: now.toISOString(),
        secrets: [{ sealed: await secretBox.seal(secret, secretContext(endpointId)), createdAt: now.toISOString() }],
      };
      if ((await store.createEndpoint(endpoint)) !== 'created') throw new Error(`endpoint id ${endpointId} is taken`);
      invalidate();
      return { endpoint: summariseEndpoint(endpoint, now), secret };
    },

    async listEndpoints(): Promise<EndpointSummary[]> {
      const now = clock.now();
      return (await store.listEndpoints()).map((e) => summariseEndpoint(e, now));
    },

    async getEndpoint(endpointId: string): Promise<EndpointSummary | undefined> {
      const endpoint = await store.getEndpoint(endpointId);
      return endpoint && summariseEndpoint(endpoint, clock.now());
    },

    /** Stops deliveries to an endpoint; those already queued fail at their next attempt. */
    async disableEndpoint(endpointId: string, reason = 'disabled by an administrator'): Promise<EndpointSummary> {
      const now = clock.now();
      await requireEndpoint(endpointId);
      await store.setEndpointStatus(endpointId, 'disabled', now.toISOString(), reason);
      invalidate();
      return summariseEndpoint(await requireEndpoint(endpointId), now);
    },

    /**
     * A new secret, shown once. The previous one keeps signing for SECRET_OVERLAP_HOURS so the
     * receiver can switch without dropping deliveries.
     */
    async rotateEndpointSecret(
      endpointId: string,
    ): Promise<{ endpoint: EndpointSummary; secret: string; previousSecretExpiresAt: string }> {
      const endpoint = await requireEndpoint(endpointId);
      const now = clock.now();
      const current = endpoint.secrets[0];
      if (!current) throw new Error(`endpoint ${endpointId} has no secret`);
      const previousSecretExpiresAt = addMs(now, SECRET_OVERLAP_HOURS * 60 * 60 * 1000);
      const secret = generateSecret();
      const secrets: EndpointSecret[] = [
        { sealed: await secretBox.seal(secret, secretContext(endpointId)), createdAt: now.toISOString() },
        { ...current, expiresAt: previousSecretExpiresAt },
        // Secrets from an earlier rotation keep their own end of overlap; few are kept.
        ...signingSecrets({ ...endpoint, secrets: endpoint.secrets.slice(1) }, now),
      ].slice(0, 3);
      if (!(await store.replaceEndpointSecrets(endpointId, current.sealed, secrets, now.toISOString()))) {
        throw conflict('rotation_conflict', `the secret of "${endpointId}" was rotated meanwhile; retry`);
      }
      invalidate();
      return {
        endpoint: summariseEndpoint({ ...endpoint, secrets, updatedAt: now.toISOString() }, now),
        secret,
        previousSecretExpiresAt,
      };
    },

    /**
     * Enqueues an event for every active endpoint subscribed to it. Replays enqueue nothing:
     * a delivery's id derives from the endpoint and the event id. Returns the new deliveries' ids.
     */
    async enqueueForEvent(event: TimelineEvent): Promise<string[]> {
      const targets = (await activeEndpoints()).filter((e) => subscribes(e, event.name));
      const results = await Promise.all(targets.map((e) => createFor(e, event.eventId, eventEnvelope(event))));
      return results.filter((r) => r.created).map((r) => r.deliveryId);
    },

    /**
     * Enqueues a payload for one endpoint (journey steps and other callers), once per `key`;
     * keys share a namespace with event ids.
     */
    async enqueue(input: {
      endpointId: string;
      key: string;
      type: string;
      data: Record<string, unknown>;
    }): Promise<EnqueueOutcome> {
      const endpoint = await store.getEndpoint(input.endpointId);
      if (!endpoint) return { outcome: 'endpoint-not-found' };
      if (endpoint.status !== 'active') return { outcome: 'endpoint-disabled' };
      const { deliveryId, created } = await createFor(
        endpoint,
        input.key,
        envelope(input.type, clock.now(), input.data),
      );
      return { outcome: created ? 'enqueued' : 'duplicate', deliveryId };
    },

    /** One attempt at a delivery, if it is unfinished and due; safe to call any number of times. */
    async attempt(deliveryId: string): Promise<AttemptOutcome> {
      const delivery = await store.getDelivery(deliveryId);
      if (!delivery) return { outcome: 'not-found' };
      if (isFinished(delivery)) return { outcome: 'finished' };
      const startedAt = clock.now();
      if (delivery.nextAttemptAt && delivery.nextAttemptAt > startedAt.toISOString()) return { outcome: 'not-due' };
      const leaseUntil = addMs(startedAt, ATTEMPT_LEASE_SECONDS * 1000);
      if (!(await store.claimDelivery(deliveryId, delivery.attemptCount, startedAt.toISOString(), leaseUntil))) {
        return { outcome: 'busy' };
      }

      const endpoint = await store.getEndpoint(delivery.endpointId);
      const refusal =
        endpoint?.status !== 'active'
          ? 'the endpoint is disabled or deleted'
          : endpointUrlProblem(endpoint.url, deps.allowInsecure);
      if (!endpoint || refusal) {
        const reason = `not sent: ${refusal}`;
        const recorded = await store.recordAttempt(delivery, undefined, {
          status: 'failed',
          at: startedAt.toISOString(),
          reason,
        });
        return recorded ? { outcome: 'failed', reason } : { outcome: 'conflict' };
      }

      const secrets = await Promise.all(
        signingSecrets(endpoint, startedAt).map((s) => openSecret(endpoint.endpointId, s)),
      );
      const result = await send(endpoint, delivery, secrets, startedAt);
      const finishedAt = clock.now();
      const number = delivery.attemptCount + 1;
      const { statusCode } = result;
      const ok = statusCode !== undefined && statusCode >= 200 && statusCode < 300;
      const error =
        result.error ??
        (statusCode !== undefined && statusCode >= 300 && statusCode < 400 ? 'redirects are not followed' : undefined);
      const attempt: DeliveryAttempt = {
        attempt: number,
        at: startedAt.toISOString(),
        durationMs: result.durationMs,
        ...(statusCode !== undefined ? { statusCode } : {}),
        ...(error ? { error } : {}),
        ...(result.responseBody ? { responseBody: result.responseBody } : {}),
      };

      let next: DeliveryTransition;
      if (ok) {
        next = { status: 'delivered', at: finishedAt.toISOString() };
      } else if (statusCode === 410) {
        next = {
          status: 'failed',
          at: finishedAt.toISOString(),
          reason: 'the endpoint answered 410 Gone and was disabled',
        };
      } else {
        const unscaled = retryDelayMs(number, random);
        const delay = unscaled === undefined ? undefined : Math.round(unscaled * (deps.retryDelayScale ?? 1));
        next =
          delay === undefined
            ? { status: 'failed', at: finishedAt.toISOString(), reason: `gave up after ${MAX_ATTEMPTS} attempts` }
            : { status: 'retrying', nextAttemptAt: addMs(finishedAt, delay) };
      }
      const recorded = await store.recordAttempt(delivery, attempt, next);
      if (statusCode === 410) {
        // The receiver said the endpoint is gone for good: stop everything queued for it too.
        await store.setEndpointStatus(endpoint.endpointId, 'disabled', finishedAt.toISOString(), 'answered 410 Gone');
        invalidate();
      }
      if (!recorded) return { outcome: 'conflict' };
      const detail = { ...(statusCode !== undefined ? { statusCode } : {}), ...(error ? { error } : {}) };
      switch (next.status) {
        case 'delivered':
          return { outcome: 'delivered', statusCode: statusCode as number };
        case 'failed':
          return { outcome: 'failed', reason: next.reason, ...detail };
        case 'retrying':
          return { outcome: 'retrying', nextAttemptAt: next.nextAttemptAt, ...detail };
        default:
          return assertUnreachable(next);
      }
    },

    /** Attempts what is due now, a few at a time; `limit` bounds one run. */
    async retryDue(limit = 100): Promise<RetryReport> {
      const entries = await store.listDue(clock.now().toISOString(), limit);
      const report: RetryReport = { due: entries.length, delivered: 0, retrying: 0, failed: 0, skipped: 0, errors: [] };
      await eachLimited(entries, RETRY_CONCURRENCY, async (entry: DueEntry) => {
        try {
          const delivery = await store.getDelivery(entry.deliveryId);
          if (!delivery || isFinished(delivery) || delivery.dueAt !== entry.dueAt) {
            // Left behind (a delivery that expired or moved on): nothing to attempt.
            await store.removeDue(entry);
            report.skipped++;
            return;
          }
          const { outcome } = await service.attempt(entry.deliveryId);
          if (outcome === 'delivered' || outcome === 'retrying' || outcome === 'failed') report[outcome]++;
          else report.skipped++;
        } catch (error) {
          report.errors.push({ deliveryId: entry.deliveryId, error });
        }
      });
      return report;
    },

    /** An endpoint's delivery log, newest first, with every attempt. */
    async listDeliveries(endpointId: string, limit: number): Promise<DeliverySummary[]> {
      await requireEndpoint(endpointId);
      return store.listDeliveries(endpointId, limit);
    },
  };
  return service;
}

export type OutboundWebhooks = ReturnType<typeof createOutboundWebhooks>;

/** The start of a response body, read no further than needed. */
async function readSnippet(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    // UTF-8 needs at most 4 bytes a character.
    while (size < RESPONSE_BODY_CHARS * 4) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut short (timeout, reset) still leaves the status to judge by.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, RESPONSE_BODY_CHARS);
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${timeoutMs} ms`;
  }
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.code) return `network error: ${cause.code}`;
  if (cause?.message) return `network error: ${cause.message}`;
  return error instanceof Error ? error.message : String(error);
}

async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
