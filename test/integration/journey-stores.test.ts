import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { journeyStoreContract } from '#journeys/stores.contract.ts';
import { createDynamoStore } from '#platform/dynamo-store.ts';
import { segmentStoreContract } from '#segments/store.contract.ts';
import { ensureTable } from '../../infra/local/table.ts';
import { db, stack } from '../support/local.ts';

/**
 * The contract on DynamoDB Local, in a table of its own with the stack table's keys and index.
 * Not the stack's table: its scheduler runs every quarter second and closes every open scan job
 * of a journey that is not live, and its routing would enrol real contacts in the journeys
 * published here; both would race these tests.
 */
const tableName = `journey-stores-${randomUUID().slice(0, 8)}`;
const admin = new DynamoDBClient({
  region: 'us-east-1',
  endpoint: stack.dynamodb,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});

beforeAll(async () => {
  // Its own table: the stack's scheduler and routing act on what they find in the shared one.
  await ensureTable(admin, tableName, false);
});

afterAll(async () => {
  await admin.send(new DeleteTableCommand({ TableName: tableName }));
  admin.destroy();
});

journeyStoreContract('DynamoDB Local', () => createDynamoStore(db, tableName), { scanPageSize: 3 });
segmentStoreContract('DynamoDB Local', () => createDynamoStore(db, tableName));
