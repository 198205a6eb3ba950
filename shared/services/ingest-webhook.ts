import { badRequest, notFound, unauthorized } from '#domain/errors.ts';
import { formSubmissionSchema } from '#domain/form.schema.ts';
import { parseOr422 } from '#domain/parse.ts';
import { verifyStandardWebhook } from '#domain/standard-webhooks.ts';
import type { Clock } from '#ports/clock.ts';
import type { InboxStore, SourceStore } from '#ports/store.ts';

export interface IngestRequest {
  sourceId: string;
  webhookId: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
  body: Buffer;
}

export type IngestOutcome = { kind: 'accepted' | 'duplicate'; inboxId: string };

/**
 * Durable-first ingest: verify, validate, store once keyed by the webhook id, acknowledge.
 * Processing happens later from the stored record. A refused request stores nothing.
 */
export async function ingestWebhook(
  deps: { store: SourceStore & InboxStore; clock: Clock },
  req: IngestRequest,
): Promise<IngestOutcome> {
  const source = await deps.store.getSource(req.sourceId);
  if (source?.status !== 'active') {
    throw notFound('unknown_source', `no active webhook source "${req.sourceId}"`);
  }
  const now = deps.clock.now();
  const check = verifyStandardWebhook(source.secret, req, Math.floor(now.getTime() / 1000));
  if (!check.ok) throw unauthorized(check.reason, check.message);

  let payload: unknown;
  try {
    payload = JSON.parse(req.body.toString('utf8'));
  } catch {
    throw badRequest('malformed_json', 'the body is not valid JSON');
  }
  parseOr422(formSubmissionSchema, payload, 'the form submission');

  const inboxId = `${source.sourceId}:${check.webhookId}`;
  const stored = await deps.store.putInboxOnce({
    inboxId,
    sourceId: source.sourceId,
    webhookId: check.webhookId,
    receivedAt: now.toISOString(),
    body: req.body.toString('utf8'),
    status: 'received',
  });
  return { kind: stored === 'stored' ? 'accepted' : 'duplicate', inboxId };
}
