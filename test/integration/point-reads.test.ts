import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCatalogVersion, scopePointReads, tableOps } from '#platform/dynamo-table.ts';
import { ensureTable } from '../../infra/local/table.ts';
import { stack } from '../support/local.ts';

/**
 * Point reads begun together go to DynamoDB Local as one BatchGetItem, each caller getting its own
 * item (or nothing), and a read alone stays a GetItem.
 */
const tableName = `point-reads-${randomUUID().slice(0, 8)}`;
const client = new DynamoDBClient({
  region: 'us-east-1',
  endpoint: stack.dynamodb,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
const db = DynamoDBDocumentClient.from(client);
const commands: string[] = [];
client.middlewareStack.add(
  (next, context) => (args) => {
    commands.push(String(context.commandName).replace(/Command$/, ''));
    return next(args);
  },
  { step: 'initialize', name: 'countCommands' },
);
const ops = tableOps(db, tableName);
const put = (pk: string, sk: string, extra: Record<string, unknown> = {}) =>
  db.send(new PutCommand({ TableName: tableName, Item: { pk, sk, type: 'test', ...extra } }));

beforeAll(async () => {
  await ensureTable(client, tableName, false);
  await Promise.all([put('A', 'ONE', { n: 1 }), put('B', 'TWO', { n: 2 }), put('CATALOG', 'VERSION', { v: 7 })]);
});

afterAll(async () => {
  await client.send(new DeleteTableCommand({ TableName: tableName }));
  client.destroy();
});

describe('point reads', () => {
  it('sends reads begun together as one BatchGetItem, each answered with its own item', async () => {
    commands.length = 0;
    const [one, two, none, version] = await Promise.all([
      ops.get<{ n: number }>('A', 'ONE'),
      ops.get<{ n: number }>('B', 'TWO'),
      ops.get('C', 'NONE'),
      readCatalogVersion(db, tableName),
    ]);
    expect([one?.n, two?.n, none, version]).toEqual([1, 2, undefined, 7]);
    expect(commands).toEqual(['BatchGetItem']);
  });

  it('keeps a read alone a GetItem, and reads one after the other one by one', async () => {
    commands.length = 0;
    expect((await ops.get<{ n: number }>('A', 'ONE'))?.n).toBe(1);
    expect((await ops.get<{ n: number }>('B', 'TWO'))?.n).toBe(2);
    expect(commands).toEqual(['GetItem', 'GetItem']);
  });

  it('splits more than a hundred reads into BatchGetItem requests of a hundred keys', async () => {
    await Promise.all(Array.from({ length: 150 }, (_, i) => put('MANY', String(i), { n: i })));
    commands.length = 0;
    const read = await Promise.all(Array.from({ length: 150 }, (_, i) => ops.get<{ n: number }>('MANY', String(i))));
    expect(read.map((item) => item?.n)).toEqual(Array.from({ length: 150 }, (_, i) => i));
    expect(commands).toEqual(['BatchGetItem', 'BatchGetItem']);
  });

  it('sends reads of different invocations separately, even when they begin together', async () => {
    const scoped = DynamoDBDocumentClient.from(client);
    let current: object | undefined;
    scopePointReads(scoped, () => current);
    const scopedOps = tableOps(scoped, tableName);
    commands.length = 0;
    current = {};
    const one = scopedOps.get<{ n: number }>('A', 'ONE');
    const version = readCatalogVersion(scoped, tableName);
    current = {};
    const two = scopedOps.get<{ n: number }>('B', 'TWO');
    expect([(await one)?.n, await version, (await two)?.n]).toEqual([1, 7, 2]);
    expect(commands.sort()).toEqual(['BatchGetItem', 'GetItem']);
  });
});
