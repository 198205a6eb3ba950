import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { clock, journeyRuntime, outbound, store, versions } from '#runtime/app.ts';
import { lambda } from '#runtime/http.ts';
import { logger, metrics } from '#runtime/observability.ts';
import { processInboxRecord } from '#services/process-inbox.ts';

/**
 * Stream consumer: each new inbox record is processed on its own; a failure reports just that
 * record, so the event source mapping retries it (and later sends it to the dead-letter queue)
 * without replaying the rest of the batch.
 */
export const handler = lambda<DynamoDBStreamEvent, DynamoDBBatchResponse>(async (event) => {
  const batchItemFailures: DynamoDBBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    const image = record.dynamodb?.NewImage;
    if (!image) continue;
    // The Lambda event types and the SDK describe the same wire shape with different types.
    const item = unmarshall(image as unknown as Record<string, AttributeValue>);
    if (item.type !== 'inbox' || typeof item.inboxId !== 'string') continue;
    try {
      const outcome = await processInboxRecord(
        { store, runtime: journeyRuntime, clock, versions, onEvent: (e) => outbound.enqueueForEvent(e) },
        item.inboxId,
      );
      metrics.addMetric('InboxRecordsProcessed', 'Count', 1);
      logger.info('inbox record processed', { inboxId: item.inboxId, ...outcome });
    } catch (error) {
      logger.error('inbox record failed', { inboxId: item.inboxId, error });
      metrics.addMetric('InboxRecordsFailed', 'Count', 1);
      batchItemFailures.push({ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' });
    }
  }
  return { batchItemFailures };
});
