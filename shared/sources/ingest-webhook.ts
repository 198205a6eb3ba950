import { ZodError } from 'zod';
import type { Clock } from '#core/clock.ts';
import type { ErrorKind } from '#core/errors.ts';
import { invalidPayload, parseJson } from '#core/parse.ts';
import type { SecretBox } from '#platform/secret-box.ts';
import { SourceError } from './errors.ts';
import { providers } from './providers/index.ts';
import type { Delivery, VerifyFailure } from './providers/provider.ts';
import { type CachedSourceStore, findSource, secretContext, validSecrets } from './sources.ts';
import type { InboxStore, SourceStore } from './store.ts';

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

/** Refusals that may come from a stale copy of the source. */
const REREAD_ON: ErrorKind[] = ['unauthorized', 'not-found', 'gone'];

/**
 * Durable-first ingest for every provider: verify the signature over the raw bytes (against each
 * secret valid now, so rotation has an overlap), parse the payload with the provider's schema,
 * normalise it to canonical events, store it once keyed by the provider's event id, acknowledge.
 * Processing happens later from the stored record. A refused request stores nothing. A topic
 * Tend does not use is stored as ignored and answered 202, so the provider does not retry it.
 */
export async function ingestWebhook(deps: IngestDeps, req: IngestRequest): Promise<IngestOutcome> {
  try {
    return await ingestOnce(deps, req);
  } catch (error) {
    // A refusal made on a kept copy of the source is checked against the source as it is now:
    // its secret may have been rotated, or the source created or enabled, since the copy was read.
    const refused = error instanceof SourceError && REREAD_ON.includes(error.kind);
    if (!refused || !('forgetSource' in deps.store) || !deps.store.forgetSource(req.sourceId)) throw error;
    return ingestOnce(deps, req);
  }
}

type IngestDeps = { store: (SourceStore | CachedSourceStore) & InboxStore; clock: Clock; secretBox: SecretBox };

async function ingestOnce(deps: IngestDeps, req: IngestRequest): Promise<IngestOutcome> {
  const source = await findSource(deps, req.sourceId);
  if (!source) throw new SourceError('unknown_source', `no webhook source "${req.sourceId}"`);
  if (source.status !== 'active') throw new SourceError('source_disabled', `source "${req.sourceId}" is disabled`);
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
    throw new SourceError(failure?.reason ?? 'bad_signature', failure?.message ?? 'the signature does not verify');
  }

  const text = req.body.toString('utf8');
  let payload: unknown;
  try {
    payload = parseJson(text);
  } catch (error) {
    // WooCommerce's creation ping is form-encoded; every other provider sends JSON.
    if (source.kind !== 'woocommerce') throw error;
    payload = text;
  }
  let parsed: ReturnType<typeof provider.parse>;
  try {
    parsed = provider.parse(delivery, payload, source.settings);
  } catch (error) {
    if (!(error instanceof ZodError)) throw error;
    throw invalidPayload(`the ${source.kind} payload`, error.issues);
  }

  const result = parsed.result;
  const ignored = result.kind === 'ignored' ? result.reason : undefined;
  const inboxId = `${source.sourceId}:${parsed.deliveryId}`;
  const at = now.toISOString();
  const stored = await deps.store.putInboxOnce({
    inboxId,
    sourceId: source.sourceId,
    webhookId: parsed.deliveryId,
    topic: parsed.topic,
    receivedAt: at,
    body: text,
    ...(result.kind === 'events'
      ? { status: 'received' as const, events: result.events }
      : { status: 'ignored' as const, reason: result.reason }),
  });
  // A stored record is counted on its source from the stream; a replay is counted here.
  if (stored === 'duplicate') await deps.store.countDelivery(source.sourceId, 'duplicate', at);
  const kind = stored === 'duplicate' ? 'duplicate' : ignored !== undefined ? 'ignored' : 'accepted';
  return { kind, inboxId, topic: parsed.topic, ...(ignored !== undefined ? { reason: ignored } : {}) };
}
