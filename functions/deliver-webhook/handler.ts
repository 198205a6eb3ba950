import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { AttemptOutcome } from '#messaging/outbound-attempt.ts';
import { lambda } from '#platform/http.ts';
import { logger, metrics } from '#platform/observability.ts';
import { outbound } from '#platform/wiring/outbound.ts';

const METRICS: Partial<Record<AttemptOutcome['outcome'], string>> = {
  delivered: 'WebhooksDelivered',
  retrying: 'WebhookAttemptsFailed',
  failed: 'WebhooksFailed',
};

/**
 * Stream consumer: makes the first attempt at each new outbound webhook delivery. Later writes
 * to the same item (lease, recorded attempts) come through the stream too and are skipped; the
 * retry job handles retries. Deliveries are independent, so a batch is attempted at once (one
 * slow receiver does not hold up the others); a failure reports just that record, so the event
 * source mapping retries it without replaying the rest of the batch.
 */
export const handler = lambda<DynamoDBStreamEvent, DynamoDBBatchResponse>(async (event) => {
  const attempts = event.Records.map(async (record) => {
    const image = record.dynamodb?.NewImage;
    if (!image) return undefined;
    // The Lambda event types and the SDK describe the same wire shape with different types.
    const item = unmarshall(image as unknown as Record<string, AttributeValue>);
    if (item.type !== 'webhook-delivery' || typeof item.deliveryId !== 'string') return undefined;
    if (item.status !== 'pending' || item.attemptCount !== 0 || item.leaseUntil !== undefined) return undefined;
    try {
      const result = await outbound.attempt(item.deliveryId);
      const metric = METRICS[result.outcome];
      if (metric) metrics.addMetric(metric, 'Count', 1);
      logger.info('webhook delivery attempted', {
        deliveryId: item.deliveryId,
        endpointId: item.endpointId,
        ...result,
      });
      return undefined;
    } catch (error) {
      logger.error('webhook delivery failed', { deliveryId: item.deliveryId, error });
      metrics.addMetric('WebhookAttemptErrors', 'Count', 1);
      return { itemIdentifier: record.dynamodb?.SequenceNumber ?? '' };
    }
  });
  const batchItemFailures = (await Promise.all(attempts)).filter((f) => f !== undefined);
  return { batchItemFailures };
});
