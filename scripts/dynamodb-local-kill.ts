/**
 * Does DynamoDB Local keep every write it acknowledged when it is killed with `kill -9`?
 *
 *   npx tsx scripts/dynamodb-local-kill.ts [--cycles 10] [--acks 200] [--no-wait] [--dir <path>]
 *
 * Each cycle starts DynamoDB Local as the local stack does (same jar, `-sharedDb`, data on disk),
 * writes from 16 callers at once what ingest and processing write (transactions of a conditional
 * put and a counter update, single puts and updates), kills the whole process group with SIGKILL
 * once `--acks` writes are acknowledged, starts it again on the same data and reads back every
 * acknowledged item. `--no-wait` leaves out `awaitTransactionCommits`, the local stack's wait for
 * DynamoDB Local to commit a transaction it has already acknowledged: without it, about one
 * cycle in two loses the last acknowledged transaction (measured on 2026-12-07 with the
 * 2026-05-28 jar, on ext4). Run it again when DynamoDB Local is upgraded.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { awaitTransactionCommits, startDynamoDbLocal } from '../infra/local/dynamodb-local.ts';
import { freePort, until } from '../infra/local/readiness.ts';
import { LOCAL_TABLE_NAME as TABLE } from '../infra/local/table.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    cycles: { type: 'string', default: '10' },
    acks: { type: 'string', default: '200' },
    'no-wait': { type: 'boolean', default: false },
    dir: { type: 'string' },
  },
});
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const clientFor = (endpoint: string) =>
  new DynamoDBClient({ region: 'us-east-1', endpoint, credentials, maxAttempts: 1 });

/** The child: DynamoDB Local with the app's table, until killed. */
async function serve(port: number, dir: string) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const { ensureTable } = await import('../infra/local/table.ts');
  startDynamoDbLocal(port, path.join(dir, 'dynamodb'), dir);
  const client = clientFor(`http://127.0.0.1:${port}`);
  await until('DynamoDB Local', 60_000, () => ensureTable(client));
  console.log('ready');
}

/** Starts the child in its own process group; resolves once its table is there. */
function start(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, 'serve', String(port), dir], {
    detached: true,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve(child));
    child.once('exit', (code) => reject(new Error(`DynamoDB Local's launcher exited (${code})`)));
  });
}

/** SIGKILL to the child's whole process group: the launcher and DynamoDB Local's Java. */
function signalGroup(child: ChildProcess) {
  try {
    process.kill(-(child.pid as number), 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** Kills the group, waits for the launcher to exit and for the port to be free. */
async function killGroup(child: ChildProcess, port: number) {
  const gone =
    child.exitCode !== null || child.signalCode !== null ? undefined : new Promise((r) => child.once('exit', r));
  signalGroup(child);
  await gone;
  // The launcher's watchdog kills Java if the group signal missed it.
  await until('the port to be free', 10_000, async () => {
    const up = await fetch(`http://127.0.0.1:${port}`).then(
      () => true,
      () => false,
    );
    if (up) throw new Error('still up');
  });
}

type Kind = 'transaction' | 'put' | 'update';
const KINDS: Kind[] = ['transaction', 'put', 'update'];

/** Writes from 16 callers until `acks` are acknowledged, then kills; returns the acknowledged keys. */
async function burst(db: DynamoDBDocumentClient, acks: number, kill: () => void) {
  const acknowledged: { kind: Kind; key: { pk: string; sk: string } }[] = [];
  let killed = false;
  const write = async (kind: Kind, id: string) => {
    if (kind === 'transaction') {
      const item = { pk: `INBOX#${id}`, sk: 'INBOX', type: 'probe' };
      const count = { Key: { pk: 'SOURCES', sk: 'probe' }, UpdateExpression: 'ADD accepted :one' };
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: TABLE, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
            { Update: { TableName: TABLE, ...count, ExpressionAttributeValues: { ':one': 1 } } },
          ],
        }),
      );
      return item;
    }
    if (kind === 'put') {
      const item = { pk: `CONTACT#${id}`, sk: 'PROFILE', type: 'probe' };
      await db.send(new PutCommand({ TableName: TABLE, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
      return item;
    }
    const key = { pk: `ENROLLMENT#${id}`, sk: 'E' };
    await db.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: key,
        UpdateExpression: 'SET #t = :t',
        ExpressionAttributeNames: { '#t': 'type' },
        ExpressionAttributeValues: { ':t': 'probe' },
      }),
    );
    return key;
  };
  await Promise.all(
    Array.from({ length: 16 }, async (_, caller) => {
      for (let n = caller; !killed; n++) {
        const kind = KINDS[n % KINDS.length] as Kind;
        try {
          const { pk, sk } = await write(kind, randomUUID());
          acknowledged.push({ kind, key: { pk, sk } });
        } catch {
          return; // Killed: what was not acknowledged was never promised.
        }
        if (acknowledged.length >= acks && !killed) {
          killed = true;
          kill();
        }
      }
    }),
  );
  return acknowledged;
}

async function main() {
  const cycles = Number(values.cycles);
  const dir = values.dir ?? mkdtempSync(path.join(os.tmpdir(), 'dynamodb-local-kill-'));
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  console.log(`${cycles} cycles, data in ${dir}, ${values['no-wait'] ? 'without' : 'with'} the commit wait`);
  let lostInAll = 0;
  for (let cycle = 1; cycle <= cycles; cycle++) {
    const child = await start(port, dir);
    const client = clientFor(endpoint);
    if (!values['no-wait']) awaitTransactionCommits(client, endpoint, TABLE);
    const acknowledged = await burst(DynamoDBDocumentClient.from(client), Number(values.acks), () =>
      signalGroup(child),
    );
    client.destroy();
    await killGroup(child, port);

    const again = await start(port, dir);
    const reader = DynamoDBDocumentClient.from(clientFor(endpoint));
    const lost: string[] = [];
    for (const [i, { kind, key }] of acknowledged.entries()) {
      const found = await reader.send(new GetCommand({ TableName: TABLE, Key: key, ConsistentRead: true }));
      if (!found.Item) lost.push(`${kind} ${acknowledged.length - i} from the end`);
    }
    reader.destroy();
    await killGroup(again, port);
    lostInAll += lost.length;
    console.log(
      `cycle ${cycle}: ${acknowledged.length} acknowledged, ${lost.length} lost${lost.length ? `: ${lost.join(', ')}` : ''}`,
    );
  }
  console.log(`${lostInAll} acknowledged writes lost in ${cycles} cycles`);
  process.exitCode = lostInAll > 0 ? 1 : 0;
}

if (positionals[0] === 'serve') await serve(Number(positionals[1]), positionals[2] as string);
else await main();
