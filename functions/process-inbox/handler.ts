import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { TimelineEvent } from '#core/contact.ts';
import { lambda } from '#platform/http.ts';
import { logger, metrics } from '#platform/observability.ts';
import { eachStreamItem } from '#platform/stream.ts';
import { clock } from '#platform/wiring/clock.ts';
import { eventStore } from '#platform/wiring/event-store.ts';
import { journeyRuntime } from '#platform/wiring/journeys.ts';
import { outbound } from '#platform/wiring/outbound.ts';
import { versions } from '#platform/wiring/versions.ts';
import type { InboxRecord } from '#sources/model.ts';
import { processInboxRecord } from '#sources/process-inbox.ts';

const deps = {
  store: eventStore,
  runtime: journeyRuntime,
  clock,
  versions,
  onEvent: (e: TimelineEvent) => outbound.enqueueForEvent(e),
};

/**
 * Stream consumer: each new inbox record is processed on its own; a failure reports just that
 * record, so the event source mapping retries it (and later sends it to the dead-letter queue)
 * without replaying the rest of the batch.
 */
export const handler = lambda<DynamoDBStreamEvent, DynamoDBBatchResponse>((event) =>
  eachStreamItem<InboxRecord>(event, 'inbox', 'inbox record failed', async (record) => {
    const { inboxId } = record;
    try {
      const outcome = await processInboxRecord(deps, record);
      metrics.addMetric('InboxRecordsProcessed', 'Count', 1);
      logger.info('inbox record processed', { inboxId, ...outcome });
    } catch (error) {
      metrics.addMetric('InboxRecordsFailed', 'Count', 1);
      throw error;
    }
  }),
);
