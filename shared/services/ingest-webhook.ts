import { ZodError } from 'zod';
import { badRequest, HttpError, notFound, unauthorized, unprocessable } from '#domain/errors.ts';
import { providers } from '#domain/providers/index.ts';
import type { Delivery, VerifyFailure } from '#domain/providers/provider.ts';
import type { Clock } from '#ports/clock.ts';
import type { SecretBox } from '#ports/secret-box.ts';
import type { InboxStore, SourceStore } from '#ports/store.ts';
import { findSource, secretContext, validSecrets } from './sources.ts';

export interface IngestRequest {
  sourceId: string;
  header(name: string): string | undefined;
  body: Buffer;
}

export type IngestOutcome = {
  /** `handshake`: a provider's unsigned set-up ping (WooCommerce), answered 200, stored nowhere. */
  kind: 'accepted' | 'duplicate' | 'ignored' | 'handshake';
  inboxId: string;
  topic: string;
  /** Why an ignored delivery is ignored (an unused topic, no way to tell who it is about). */
  reason?: string;
};

/**
 * Durable-first ingest for every provider: verify the signature over the raw bytes (against each
 * secret valid now, so rotation has an overlap), parse the payload with the provider's schema,
 * normalise it to canonical events, store it once keyed by the provider's event id, acknowledge.
 * Processing happens later from the stored record. A refused request stores nothing. A topic
 * Tend does not use is stored as ignored and answered 202, so the provider does not retry it.
 */
export async function ingestWebhook(
  deps: { store: SourceStore & InboxStore; clock: Clock; secretBox: SecretBox },
  req: IngestRequest,
): Promise<IngestOutcome> {
  const source = await findSource(deps, req.sourceId);
  if (!source) throw notFound('unknown_source', `no webhook source "${req.sourceId}"`);
  if (source.status !== 'active') throw new HttpError(410, 'source_disabled', `source "${req.sourceId}" is disabled`);
  const now = deps.clock.now();
  const provider = providers[source.kind];
  const delivery: Delivery = { header: req.header, body: req.body, nowSeconds: Math.floor(now.getTime() / 1000) };
  if (provider.isHandshake?.(delivery)) return { kind: 'handshake', inboxId: '', topic: 'handshake' };

  let failure: VerifyFailure | undefined;
  let verified = false;
  for (const stored of validSecrets(source, now)) {
    const check = provider.verify(await deps.secretBox.open(stored.sealed, secretContext(source.sourceId)), delivery);
    if (check.ok) {
      verified = true;
      break;
    }
    failure ??= check;
  }
  if (!verified) {
    throw unauthorized(failure?.reason ?? 'bad_signature', failure?.message ?? 'the signature does not verify');
  }

  const text = req.body.toString('utf8');
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    // WooCommerce's creation ping is form-encoded; every other provider sends JSON.
    if (source.kind !== 'woocommerce') throw badRequest('malformed_json', 'the body is not valid JSON');
    payload = text;
  }
  let parsed: ReturnType<typeof provider.parse>;
  try {
    parsed = provider.parse(delivery, payload, source.settings);
  } catch (error) {
    if (!(error instanceof ZodError)) throw error;
    const problems = error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
    throw unprocessable(
      'invalid_payload',
      `the ${source.kind} payload is invalid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      problems,
    );
  }

  const result = parsed.result;
  const ignored = result.kind === 'ignored' ? result.reason : undefined;
  const inboxId = `${source.sourceId}:${parsed.deliveryId}`;
  const counted = {
    outcome: ignored !== undefined ? ('ignored' as const) : ('accepted' as const),
    at: now.toISOString(),
  };
  const stored = await deps.store.putInboxOnce(
    {
      inboxId,
      sourceId: source.sourceId,
      webhookId: parsed.deliveryId,
      topic: parsed.topic,
      receivedAt: now.toISOString(),
      body: text,
      ...(result.kind === 'events'
        ? { status: 'received' as const, events: result.events }
        : { status: 'ignored' as const, reason: result.reason }),
    },
    counted,
  );
  // A stored record was counted with it; a replay is counted on its own.
  if (stored === 'duplicate') await deps.store.countDelivery(source.sourceId, 'duplicate', counted.at);
  const kind = stored === 'duplicate' ? 'duplicate' : counted.outcome;
  return { kind, inboxId, topic: parsed.topic, ...(ignored !== undefined ? { reason: ignored } : {}) };
}
