import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { table } from '../manifest.ts';
import { until } from './readiness.ts';

export const LOCAL_TABLE_NAME = 'tend';

/** Creates the app's table (keys and index from the manifest) unless it exists, and waits until it is active. */
export async function ensureTable(dynamo: DynamoDBClient, tableName = LOCAL_TABLE_NAME, stream = true) {
  try {
    await dynamo.send(
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
        ...(stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' as const } } : {}),
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  // On AWS a new table with an index takes a while to become active.
  await until('the table', 120_000, async () => {
    const out = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    if (out.Table?.TableStatus !== 'ACTIVE') throw new Error(out.Table?.TableStatus);
  });
}
