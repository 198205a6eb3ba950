import { randomBytes, randomUUID } from 'node:crypto';
import type { TimelineEvent } from '#core/contact.ts';
import { deterministicId } from '#core/ids.ts';
import { parseOrRefuse } from '#core/parse.ts';
import type { SecretBox } from '#platform/secret-box.ts';
import { MessagingError } from './errors.ts';
import {
  type DeliverySummary,
  type Endpoint,
  type EndpointSecret,
  type EndpointSummary,
  endpointInputSchema,
  envelope,
  eventEnvelope,
  isFinished,
  MAX_PAYLOAD_BYTES,
  newDelivery,
  SECRET_OVERLAP_HOURS,
  signingSecrets,
  subscribes,
  summariseEndpoint,
  type WebhookEnvelope,
} from './outbound.ts';
import { type AttemptDeps, createAttempt } from './outbound-attempt.ts';
import type { DueEntry } from './outbound-store.ts';

export interface OutboundWebhooksDeps extends AttemptDeps {
  secretBox: SecretBox;
}

/** The endpoint list is read at most this often on the enqueue path (per warm instance). */
export const ENDPOINT_CACHE_MS = 30_000;
/** Attempts retryDue runs at once. */
export const RETRY_CONCURRENCY = 4;

export type EnqueueOutcome =
  | { outcome: 'enqueued' | 'duplicate'; deliveryId: string }
  | { outcome: 'endpoint-not-found' | 'endpoint-disabled' };

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

/**
 * Outbound webhooks: endpoints with Standard Webhooks signing secrets, deliveries enqueued once
 * per (endpoint, event or key), attempted by the stream and retried on a backoff schedule by a
 * scheduled job, with a delivery log. Delivery is at least once: receivers deduplicate on
 * `webhook-id`, which is the delivery id.
 */
export function createOutboundWebhooks(deps: OutboundWebhooksDeps) {
  const { store, secretBox, clock } = deps;

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
    if (!endpoint) throw new MessagingError('endpoint_not_found', `no webhook endpoint "${endpointId}"`);
    return endpoint;
  };

  const attempt = createAttempt(deps, { openSecret, endpointDisabled: invalidate });

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

  const service = {
    /** Registers an endpoint; its `whsec_` secret is in this answer and never again. */
    async createEndpoint(input: unknown, createdBy: string): Promise<{ endpoint: EndpointSummary; secret: string }> {
      const parsed = parseOrRefuse(endpointInputSchema(deps.allowInsecure), input, 'the endpoint');
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
      const previousSecretExpiresAt = new Date(now.getTime() + SECRET_OVERLAP_HOURS * 60 * 60 * 1000).toISOString();
      const secret = generateSecret();
      const secrets: EndpointSecret[] = [
        { sealed: await secretBox.seal(secret, secretContext(endpointId)), createdAt: now.toISOString() },
        { ...current, expiresAt: previousSecretExpiresAt },
        // Secrets from an earlier rotation keep their own end of overlap; few are kept.
        ...signingSecrets({ ...endpoint, secrets: endpoint.secrets.slice(1) }, now),
      ].slice(0, 3);
      if (!(await store.replaceEndpointSecrets(endpointId, current.sealed, secrets, now.toISOString()))) {
        throw new MessagingError('rotation_conflict', `the secret of "${endpointId}" was rotated meanwhile; retry`);
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
    attempt,

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
          const { outcome } = await attempt(entry.deliveryId);
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
