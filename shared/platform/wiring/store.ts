import { dynamo } from '../clients/dynamodb.ts';
import { config } from '../config.ts';
import { createDynamoStore } from '../dynamo-store.ts';

/**
 * The table, uncached: what the APIs, the dashboard and the journey scheduler read. The event
 * path reads `eventStore` (./event-store.ts) instead.
 */
export const store = createDynamoStore(dynamo, config.TEND_TABLE_NAME, {
  inboxDays: config.TEND_INBOX_RETENTION_DAYS,
  timelineDays: config.TEND_TIMELINE_RETENTION_DAYS,
});
