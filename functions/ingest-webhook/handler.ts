import { config } from '#platform/config.ts';
import { header, httpLambda, json, limitBody } from '#platform/http.ts';
import { logger, metrics } from '#platform/observability.ts';
import { clock } from '#platform/wiring/clock.ts';
import { secretBox } from '#platform/wiring/secret-box.ts';
import { store } from '#platform/wiring/store.ts';
import { ingestWebhook } from '#sources/ingest-webhook.ts';
import { cacheSources } from '#sources/sources.ts';

/** Webhook bodies above this are refused before any work (Shopify orders run to tens of KiB). */
export const MAX_BODY_BYTES = 256 * 1024;

const METRIC = {
  accepted: 'WebhooksAccepted',
  duplicate: 'WebhooksReplayed',
  ignored: 'WebhooksIgnored',
  handshake: 'WebhookHandshakes',
} as const;

/** Sources kept in the warm function for a few seconds: most webhooks then cost one write. */
const sources = cacheSources(store, config.TEND_SOURCE_CACHE_SECONDS * 1_000);

export const handler = httpLambda(async (event) => {
  const body = limitBody(event, MAX_BODY_BYTES);
  const sourceId = event.pathParameters?.sourceId ?? '';
  const outcome = await ingestWebhook(
    { store: sources, clock, secretBox },
    { sourceId, header: (name) => header(event, name), body },
  );
  metrics.addMetric(METRIC[outcome.kind], 'Count', 1);
  logger.info('webhook stored', { sourceId, inboxId: outcome.inboxId, topic: outcome.topic, outcome: outcome.kind });
  return json(outcome.kind === 'duplicate' || outcome.kind === 'handshake' ? 200 : 202, {
    status: outcome.kind,
    id: outcome.inboxId,
    topic: outcome.topic,
    ...(outcome.reason ? { reason: outcome.reason } : {}),
  });
});
