import { HttpError } from '#domain/errors.ts';
import { clock, store } from '#runtime/app.ts';
import { header, httpLambda, json, rawBody } from '#runtime/http.ts';
import { logger, metrics } from '#runtime/observability.ts';
import { ingestWebhook } from '#services/ingest-webhook.ts';

/** Webhook bodies above this are refused before any work (forms post a few KiB). */
export const MAX_BODY_BYTES = 256 * 1024;

export const handler = httpLambda(async (event) => {
  const body = rawBody(event);
  if (body.length > MAX_BODY_BYTES) {
    throw new HttpError(413, 'payload_too_large', `the body is larger than ${MAX_BODY_BYTES} bytes`);
  }
  const sourceId = event.pathParameters?.sourceId ?? '';
  const outcome = await ingestWebhook(
    { store, clock },
    {
      sourceId,
      webhookId: header(event, 'webhook-id'),
      timestamp: header(event, 'webhook-timestamp'),
      signature: header(event, 'webhook-signature'),
      body,
    },
  );
  metrics.addMetric(outcome.kind === 'accepted' ? 'WebhooksAccepted' : 'WebhooksReplayed', 'Count', 1);
  logger.info('webhook stored', { sourceId, inboxId: outcome.inboxId, outcome: outcome.kind });
  return json(outcome.kind === 'accepted' ? 202 : 200, { status: outcome.kind, id: outcome.inboxId });
});
