import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { runErase } from '#contacts/privacy/erase.ts';
import type { PrivacyRequest } from '#contacts/privacy/model.ts';
import { lambda } from '#platform/http.ts';
import { logger } from '#platform/observability.ts';
import { eachStreamItem } from '#platform/stream.ts';
import { clock } from '#platform/wiring/clock.ts';
import { journeyRuntime } from '#platform/wiring/journeys.ts';
import { personItems, privacy } from '#platform/wiring/privacy.ts';
import { store } from '#platform/wiring/store.ts';

const deps = {
  privacy,
  people: personItems,
  store,
  runtime: journeyRuntime,
  clock,
};

/**
 * Stream consumer: runs each new erase request to the end. A failure leaves the request running
 * and reports the record, so the event source mapping retries it (every step is idempotent);
 * asking for the erase again after its attempts are spent starts it anew.
 */
export const handler = lambda<DynamoDBStreamEvent, DynamoDBBatchResponse>((event) =>
  eachStreamItem<PrivacyRequest>(event, 'privacy-request', 'erase failed', async (request) => {
    if (request.status !== 'running') return;
    // The request id only: the person is named nowhere in the logs.
    logger.appendKeys({ requestId: request.requestId });
    const outcome = await runErase(deps, request.requestId);
    logger.info('erase finished', { ...outcome });
  }),
);
