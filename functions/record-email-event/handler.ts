import { recordEmailEvent } from '#messaging/email-events.ts';
import { sesEventBridgeSchema } from '#messaging/ses-events.ts';
import { lambda } from '#platform/http.ts';
import { logger, metrics } from '#platform/observability.ts';
import { store } from '#platform/wiring/store.ts';

/** EventBridge target for SES configuration-set events (`source: aws.ses`). */
export const handler = lambda(async (event: unknown) => {
  const parsed = sesEventBridgeSchema.safeParse(event);
  if (!parsed.success) {
    // Retrying cannot fix a malformed event: log it and let EventBridge consider it delivered.
    logger.error('unrecognised email event', { issues: parsed.error.issues });
    return { ignored: true };
  }
  const outcome = await recordEmailEvent({ store }, parsed.data.detail);
  metrics.addMetric(`EmailEvent${outcome.eventType}`, 'Count', 1);
  if (outcome.suppressed.length > 0) metrics.addMetric('AddressesSuppressed', 'Count', outcome.suppressed.length);
  logger.info('email event', { ...outcome });
  return outcome;
});
