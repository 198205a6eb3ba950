import { parseJson } from '#core/parse.ts';
import { header, httpLambda, json, limitBody } from '#platform/http.ts';
import { logger, metrics } from '#platform/observability.ts';
import { clock } from '#platform/wiring/clock.ts';
import { store } from '#platform/wiring/store.ts';
import { authenticateKey } from '#sources/api-keys.ts';
import { ingestEvents } from '#sources/events-api.ts';

/** A full batch of 100 messages with rich properties fits comfortably. */
export const MAX_EVENTS_BODY_BYTES = 512 * 1024;

/** POST /api/events: identify and track, batches up to 100, each stored once by messageId. */
export const handler = httpLambda(async (event) => {
  const body = limitBody(event, MAX_EVENTS_BODY_BYTES);
  const key = await authenticateKey({ store, clock }, header(event, 'authorization'), 'events:write');
  const { results } = await ingestEvents({ store, clock }, parseJson(body.toString('utf8')), key.keyId);
  const accepted = results.filter((r) => r.status === 'accepted').length;
  metrics.addMetric('EventsAccepted', 'Count', accepted);
  metrics.addMetric('EventsReplayed', 'Count', results.length - accepted);
  logger.info('events stored', { keyId: key.keyId, accepted, duplicates: results.length - accepted });
  return json(accepted > 0 ? 202 : 200, { results });
});
