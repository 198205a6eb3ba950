import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { startDynamoDbLocal } from './dynamodb-local.ts';
import { dynamoTarget, LOCAL_CREDENTIALS } from './dynamodb-target.ts';
import { freePort, until } from './readiness.ts';
import { signedWebhookHeaders } from './signed-webhook.ts';
import {
  DEFAULT_ADMIN_TOKEN,
  DEFAULT_DEMO_SOURCE_SECRET,
  FREE_PORTS,
  type LocalStack,
  startLocalStack,
} from './stack.ts';
import { LOCAL_TABLE_NAME } from './table.ts';

describe('dynamoTarget', () => {
  it('reads the stream of an AWS table from the regional DynamoDB Streams endpoint, with the environment’s credentials', () => {
    expect(dynamoTarget('https://dynamodb.eu-west-1.amazonaws.com', undefined)).toEqual({
      url: 'https://dynamodb.eu-west-1.amazonaws.com',
      streamsUrl: 'https://streams.dynamodb.eu-west-1.amazonaws.com',
      region: 'eu-west-1',
      aws: true,
    });
    expect(dynamoTarget('https://dynamodb.cn-north-1.amazonaws.com.cn', 'cn-north-1').streamsUrl).toBe(
      'https://streams.dynamodb.cn-north-1.amazonaws.com.cn',
    );
  });

  it('reads the stream of any other endpoint from the same URL, with the local credentials', () => {
    expect(dynamoTarget('http://dynamo.internal:8000', 'eu-central-1')).toEqual({
      url: 'http://dynamo.internal:8000',
      streamsUrl: 'http://dynamo.internal:8000',
      region: 'eu-central-1',
      aws: false,
    });
  });

  it('refuses an AWS endpoint in another region than AWS_REGION', () => {
    expect(() => dynamoTarget('https://dynamodb.eu-west-1.amazonaws.com', 'us-east-1')).toThrow(/eu-west-1/);
  });
});

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tend-dynamodb-url-'));
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

describe('the local stack with TEND_DYNAMODB_URL', () => {
  it('uses that DynamoDB: starts none of its own, needs no Java, creates the table and processes webhooks there', async () => {
    // A DynamoDB Local someone else runs (a shared one, or a proxy in front of one).
    const port = await freePort();
    const shared = startDynamoDbLocal(port, undefined, path.join(tmp, 'shared'));
    cleanups.push(() => shared.stop());
    const url = `http://127.0.0.1:${port}`;
    const dynamo = new DynamoDBClient({ region: 'us-east-1', endpoint: url, credentials: LOCAL_CREDENTIALS });
    cleanups.push(() => dynamo.destroy());
    await until('the shared DynamoDB Local', 90_000, () =>
      dynamo.send(new DescribeTableCommand({ TableName: LOCAL_TABLE_NAME })).catch((error: unknown) => {
        if ((error as Error).name !== 'ResourceNotFoundException') throw error;
      }),
    );

    // Without Java on the PATH, starting a DynamoDB Local of its own would fail at once.
    const dataDir = path.join(tmp, 'data');
    const pathBefore = process.env.PATH;
    process.env.PATH = (pathBefore ?? '')
      .split(path.delimiter)
      .filter((dir) => !existsSync(path.join(dir, 'java')))
      .join(path.delimiter);
    let stack: LocalStack;
    try {
      stack = await startLocalStack({
        dataDir,
        inMemory: true,
        dynamoUrl: url,
        ...FREE_PORTS,
        timeScale: 1,
        adminToken: DEFAULT_ADMIN_TOKEN,
        demoSourceSecret: DEFAULT_DEMO_SOURCE_SECRET,
        journeys: [],
        log: () => undefined,
      });
    } finally {
      process.env.PATH = pathBefore;
    }
    cleanups.push(() => stack.stop());

    expect(stack.urls.dynamodb).toBe(url);
    expect(existsSync(path.join(dataDir, 'dynamodb-local.pid'))).toBe(false);
    const created = await dynamo.send(new DescribeTableCommand({ TableName: LOCAL_TABLE_NAME }));
    expect(created.Table?.TableStatus).toBe('ACTIVE');
    expect(created.Table?.StreamSpecification?.StreamEnabled).toBe(true);

    const body = JSON.stringify({ email: 'shared-dynamodb@example.com', firstName: 'Sam' });
    const posted = await fetch(`${stack.urls.api}/webhooks/demo-form`, {
      method: 'POST',
      headers: signedWebhookHeaders(DEFAULT_DEMO_SOURCE_SECRET, 'msg_shared_dynamodb', new Date(), body),
      body,
    });
    expect(posted.status).toBe(202);
    await stack.drained();
    const contact = await fetch(`${stack.urls.api}/api/contacts?email=shared-dynamodb%40example.com`, {
      headers: { authorization: `Bearer ${DEFAULT_ADMIN_TOKEN}` },
    });
    expect(contact.status).toBe(200);
    expect(await contact.json()).toMatchObject({ contact: { email: 'shared-dynamodb@example.com', firstName: 'Sam' } });

    // Stopping the stack leaves the DynamoDB it did not start running, with the data in it.
    await stack.stop();
    expect(shared.process.exitCode).toBeNull();
    const after = await dynamo.send(new DescribeTableCommand({ TableName: LOCAL_TABLE_NAME }));
    expect(after.Table?.TableStatus).toBe('ACTIVE');
  }, 180_000);
});
