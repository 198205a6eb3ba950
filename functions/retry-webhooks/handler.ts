import { lambda } from '#platform/http.ts';
import { logger, metrics } from '#platform/observability.ts';
import { outbound } from '#platform/wiring/outbound.ts';

/** How many due deliveries one run attempts; the rest wait for the next run. */
const BATCH = 100;

/** Scheduled: attempts the outbound webhook deliveries whose retry is due. */
export const handler = lambda<unknown, void>(async () => {
  const { errors, ...counts } = await outbound.retryDue(BATCH);
  for (const { deliveryId, error } of errors) logger.error('webhook retry failed', { deliveryId, error });
  metrics.addMetric('WebhookRetriesDelivered', 'Count', counts.delivered);
  metrics.addMetric('WebhookRetriesFailed', 'Count', counts.failed);
  logger.info('webhook retries run', { ...counts, errors: errors.length });
});
