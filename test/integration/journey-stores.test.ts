import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { createDynamoStore } from '#adapters/dynamo-store.ts';
import { table } from '../../infra/manifest.ts';
import { journeyStoreContract } from '../../shared/adapters/journey-stores.contract.ts';
import { db, eventually, stack } from '../support/local.ts';

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
  await admin.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: table.partitionKey, AttributeType: 'S' },
        { AttributeName: table.sortKey, AttributeType: 'S' },
        ...table.localIndexes.map((i) => ({ AttributeName: i.sortKey, AttributeType: 'S' as const })),
      ],
      KeySchema: [
        { AttributeName: table.partitionKey, KeyType: 'HASH' },
        { AttributeName: table.sortKey, KeyType: 'RANGE' },
      ],
      LocalSecondaryIndexes: table.localIndexes.map((i) => ({
        IndexName: i.name,
        KeySchema: [
          { AttributeName: table.partitionKey, KeyType: 'HASH' },
          { AttributeName: i.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    }),
  );
  await eventually('the contract table', async () => {
    const out = await admin.send(new DescribeTableCommand({ TableName: tableName }));
    return out.Table?.TableStatus === 'ACTIVE' ? true : undefined;
  });
});

afterAll(async () => {
  await admin.send(new DeleteTableCommand({ TableName: tableName }));
  admin.destroy();
});

journeyStoreContract('DynamoDB Local', () => createDynamoStore(db, tableName), { scanPageSize: 3 });
