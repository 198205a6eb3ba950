import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, PutItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { awaitTransactionCommits } from './dynamodb-local.ts';

/** A stand-in DynamoDB endpoint that logs each call and answers as told. */
const calls: { target: string; body: string }[] = [];
let answer: (target: string) => { status: number; body: object; delayMs?: number } = () => ({ status: 200, body: {} });
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const target = String(req.headers['x-amz-target']).split('.')[1] ?? '';
    const { status, body, delayMs = 0 } = answer(target);
    setTimeout(() => {
      calls.push({ target, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(body));
    }, delayMs);
  });
});
let client: DynamoDBClient;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  awaitTransactionCommits(client, endpoint, 'tend');
});
afterAll(async () => {
  client.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  calls.length = 0;
  answer = () => ({ status: 200, body: {} });
});

const transaction = () =>
  new TransactWriteItemsCommand({
    TransactItems: [{ Put: { TableName: 'tend', Item: { pk: { S: 'a' }, sk: { S: 'b' } } } }],
  });

describe('waiting for DynamoDB Local to commit an acknowledged transaction', () => {
  it('answers a TransactWriteItems only after a GetItem queued behind its commit has come back', async () => {
    // The GetItem is logged only as it is answered, late: the caller must have waited for it.
    answer = (target) => ({ status: 200, body: {}, delayMs: target === 'GetItem' ? 50 : 0 });

    await client.send(transaction());

    expect(calls.map((c) => c.target)).toEqual(['TransactWriteItems', 'GetItem']);
    expect(JSON.parse(calls[1]?.body ?? '{}')).toMatchObject({ TableName: 'tend' });
  });

  it('adds nothing to a single-item write, which DynamoDB Local commits before answering', async () => {
    await client.send(new PutItemCommand({ TableName: 'tend', Item: { pk: { S: 'a' }, sk: { S: 'b' } } }));
    expect(calls.map((c) => c.target)).toEqual(['PutItem']);
  });

  it('adds nothing to a cancelled transaction, which committed nothing', async () => {
    answer = () => ({
      status: 400,
      body: {
        __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
        message: 'Transaction cancelled',
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }],
      },
    });
    await expect(client.send(transaction())).rejects.toMatchObject({ name: 'TransactionCanceledException' });
    expect(calls.map((c) => c.target)).toEqual(['TransactWriteItems']);
  });

  it('fails the call when the wait fails: the transaction may not be on disk', async () => {
    answer = (target) => (target === 'GetItem' ? { status: 500, body: {} } : { status: 200, body: {} });
    await expect(client.send(transaction())).rejects.toThrow('commit wait');
  });
});
