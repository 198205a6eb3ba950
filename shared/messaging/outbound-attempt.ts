import { assertUnreachable } from '#core/assert.ts';
import type { Clock } from '#core/clock.ts';
import { signStandardWebhook } from '#sources/standard-webhooks.ts';
import {
  ATTEMPT_LEASE_SECONDS,
  ATTEMPT_TIMEOUT_MS,
  type Delivery,
  type DeliveryAttempt,
  type DeliveryTransition,
  type Endpoint,
  type EndpointSecret,
  endpointUrlProblem,
  isFinished,
  MAX_ATTEMPTS,
  RESPONSE_BODY_CHARS,
  retryDelayMs,
  signingSecrets,
} from './outbound.ts';
import type { OutboundStore } from './outbound-store.ts';

/** What an attempt needs: the outbound store, the clock, and how to reach receivers. */
export interface AttemptDeps {
  store: OutboundStore;
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

/** What the outbound webhooks service keeps for its attempts. */
export interface AttemptHooks {
  /** An endpoint's signing secret in plain text (the service keeps the secrets it opened). */
  openSecret(endpointId: string, secret: EndpointSecret): Promise<string>;
  /** An endpoint answered 410 Gone and was disabled: a kept endpoint list is stale. */
  endpointDisabled(): void;
}

export const USER_AGENT = 'Tend-Webhooks/1';

export type AttemptOutcome =
  | { outcome: 'delivered'; statusCode: number }
  | { outcome: 'retrying'; nextAttemptAt: string; statusCode?: number; error?: string }
  | { outcome: 'failed'; reason: string; statusCode?: number; error?: string }
  /** Nothing was sent: already finished, not due yet, being attempted elsewhere, unknown. */
  | { outcome: 'finished' | 'not-due' | 'busy' | 'not-found' }
  /** Sent, but someone else recorded an attempt meanwhile; this one is not in the log. */
  | { outcome: 'conflict' };

const addMs = (date: Date, ms: number) => new Date(date.getTime() + ms).toISOString();

/**
 * Attempts at deliveries: each leases the delivery first (two attempts at once send it once),
 * POSTs it signed with every secret valid now, and records the attempt in the delivery log with
 * what comes next: delivered, a retry on the backoff schedule, or failed.
 */
export function createAttempt(deps: AttemptDeps, hooks: AttemptHooks) {
  const { store, clock } = deps;
  const doFetch = deps.fetch ?? globalThis.fetch;
  const random = deps.random ?? Math.random;
  const timeoutMs = deps.attemptTimeoutMs ?? ATTEMPT_TIMEOUT_MS;

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

  /** One attempt at a delivery, if it is unfinished and due; safe to call any number of times. */
  return async function attempt(deliveryId: string): Promise<AttemptOutcome> {
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
      signingSecrets(endpoint, startedAt).map((s) => hooks.openSecret(endpoint.endpointId, s)),
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
      hooks.endpointDisabled();
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
  };
}

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
