import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDynamoContacts } from '#contacts/dynamo-contacts.ts';
import { createDynamoRegistry } from '#contacts/dynamo-registry.ts';
import { createDynamoJourneyStores } from '#journeys/dynamo-journeys.ts';
import { createDynamoMessaging } from '#messaging/dynamo-messaging.ts';
import { createDynamoSegmentStore } from '#segments/dynamo-segments.ts';
import { createDynamoSources, type InboxRetention } from '#sources/dynamo-sources.ts';
import type { TimelineRetention } from './dynamo-table.ts';
import type { TendStore } from './store.ts';

/**
 * Every capability's store on the single table (pk / sk). Each adapter lists the items it keeps:
 *   sources, inbox records                      sources/dynamo-sources.ts
 *   identities, contacts, timelines, order refs contacts/dynamo-contacts.ts
 *   conflicts, API keys, imports (registry)     contacts/dynamo-registry.ts
 *   sends, suppressions, messages, templates    messaging/dynamo-messaging.ts
 *   journeys, enrollments, waiters, tasks, due  journeys/dynamo-journeys.ts
 *   segments and memberships                    segments/dynamo-segments.ts
 * The low-level helpers they share (keys, point reads, batches, conditions) are in dynamo-table.ts.
 */
export function createDynamoStore(
  db: DynamoDBDocumentClient,
  tableName: string,
  retention: InboxRetention & TimelineRetention = {},
): TendStore {
  const journeyStores = createDynamoJourneyStores(db, tableName, retention);
  return {
    ...createDynamoRegistry(db, tableName),
    ...journeyStores,
    ...createDynamoSegmentStore(db, tableName, retention),
    ...createDynamoSources(db, tableName, retention),
    ...createDynamoContacts(db, tableName, journeyStores, retention),
    ...createDynamoMessaging(db, tableName, retention),
  };
}
