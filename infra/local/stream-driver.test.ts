import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BatchWriteItemCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunctionName, StreamSpec } from '../manifest.ts';
import { startDynamoDbLocal } from './dynamodb-local.ts';
import { LOCAL_CREDENTIALS } from './dynamodb-target.ts';
import { freePort, until } from './readiness.ts';
import { type StreamDriver, startStreamDriver } from './stream-driver.ts';
import { nudgeOnWrites } from './stream-nudge.ts';
import { repairEmptyMaps } from './stream-records.ts';
import { ensureTable } from './table.ts';

describe('repairEmptyMaps', () => {
  it('turns DynamoDB Local empty maps back into maps, at any depth, so images unmarshall', () => {
    // What DynamoDB Local's stream returns for { m: {}, n: { inner: {} }, l: [{}] }.
    const record = {
      eventName: 'INSERT',
      dynamodb: { NewImage: { pk: { S: 'a' }, m: {}, n: { M: { inner: {} } }, l: { L: [{}] } } },
    } as unknown as StreamRecord;
    const image = repairEmptyMaps(record).dynamodb?.NewImage as never;
    expect(unmarshall(image)).toEqual({ pk: 'a', m: {}, n: { inner: {} }, l: [{}] });
  });
});

interface Delivery {
  function: FunctionName;
  /** `pk/sk` of each record, in the order the handler received them. */
  items: string[];
  sequenceNumbers: string[];
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tend-stream-driver-'));
let dynamo: DynamoDBClient;
let endpoint: string;
let stopDynamo: () => void;
const drivers: StreamDriver[] = [];

beforeAll(async () => {
  const port = await freePort();
  stopDynamo = startDynamoDbLocal(port, undefined, tmp).stop;
  endpoint = `http://127.0.0.1:${port}`;
  dynamo = new DynamoDBClient({ region: 'us-east-1', endpoint, credentials: LOCAL_CREDENTIALS });
  // The JVM's start takes seconds, more on a busy machine.
  await until('DynamoDB Local', 90_000, () => dynamo.send(new ListTablesCommand({})));
}, 120_000);

afterAll(async () => {
  for (const driver of drivers) await driver.close();
  dynamo?.destroy();
  stopDynamo?.();
  rmSync(tmp, { recursive: true, force: true });
});

/** A table of its own, with a stream, holding `items` (written in this order). */
async function tableWith(name: string, items: { pk: string; sk: string; type: string }[]) {
  await ensureTable(dynamo, name);
  for (let i = 0; i < items.length; i += 25) {
    await dynamo.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [name]: items.slice(i, i + 25).map((item) => ({
            PutRequest: { Item: { pk: { S: item.pk }, sk: { S: item.sk }, type: { S: item.type } } },
          })),
        },
      }),
    );
  }
}

/** Contacts' events, one contact after another, as `CONTACT#<c>` / `E<n>`. */
const events = (contacts: string[], perContact: number) =>
  contacts.flatMap((c) =>
    Array.from({ length: perContact }, (_, n) => ({ pk: `CONTACT#${c}`, sk: `E${n}`, type: 'event' })),
  );

function driverOn(
  tableName: string,
  streams: StreamSpec[],
  handler: (delivery: Delivery) => Promise<void> = async () => undefined,
  extra: { pollMs?: number; maxBuffered?: number; dataDir?: string } = {},
) {
  const deliveries: Delivery[] = [];
  const dataDir = extra.dataDir ?? mkdtempSync(path.join(tmp, 'data-'));
  const driver = startStreamDriver({
    dynamo,
    endpoint,
    credentials: LOCAL_CREDENTIALS,
    tableName,
    streams,
    dataDir,
    log: () => undefined,
    ...extra,
    invoke: async (name, event) => {
      const records = (event as DynamoDBStreamEvent).Records;
      const delivery = {
        function: name,
        items: records.map((r) => `${r.dynamodb?.Keys?.pk?.S}/${r.dynamodb?.Keys?.sk?.S}`),
        sequenceNumbers: records.map((r) => r.dynamodb?.SequenceNumber ?? ''),
      };
      deliveries.push(delivery);
      await handler(delivery);
      return { batchItemFailures: [] };
    },
  });
  drivers.push(driver);
  return { driver, deliveries, dataDir };
}

const itemsOf = (deliveries: Delivery[], fn?: FunctionName) =>
  deliveries.filter((d) => !fn || d.function === fn).flatMap((d) => d.items);

const spec = (
  fn: FunctionName,
  itemTypes: string[],
  batchSize: number,
  parallelizationFactor?: number,
): StreamSpec => ({
  function: fn,
  itemTypes,
  batchSize,
  maxAttempts: 3,
  ...(parallelizationFactor ? { parallelizationFactor } : {}),
});

describe('the stream driver on DynamoDB Local', () => {
  it('delivers every record to each consumer that wants it, contacts side by side and each contact in order', async () => {
    const written = [
      ...events(['a', 'b', 'c', 'd', 'e', 'f'], 10),
      ...['1', '2', '3', '4', '5'].map((n) => ({ pk: `INBOX#${n}`, sk: 'INBOX', type: 'inbox' })),
    ];
    await tableWith('ordered', written);
    let running = 0;
    let most = 0;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const { driver, deliveries } = driverOn(
      'ordered',
      [spec('aggregate-events', ['event'], 5, 3), spec('process-inbox', ['inbox'], 10)],
      async (delivery) => {
        if (delivery.function !== 'aggregate-events') return;
        running++;
        most = Math.max(most, running);
        await gate;
        running--;
      },
    );

    // Batches of three contacts start before any of them ends, and no more than three.
    await until('three batches at once', 20_000, async () => {
      if (most < 3) throw new Error(`${most} at once`);
    }).finally(open);
    await driver.idle();

    expect(most).toBe(3);
    const delivered = itemsOf(deliveries, 'aggregate-events');
    expect([...delivered].sort()).toEqual(written.filter((w) => w.type === 'event').map((w) => `${w.pk}/${w.sk}`));
    for (const contact of ['a', 'b', 'c', 'd', 'e', 'f']) {
      const mine = delivered.filter((item) => item.startsWith(`CONTACT#${contact}/`));
      expect(mine).toEqual(Array.from({ length: 10 }, (_, n) => `CONTACT#${contact}/E${n}`));
    }
    expect(itemsOf(deliveries, 'process-inbox').sort()).toEqual(
      ['1', '2', '3', '4', '5'].map((n) => `INBOX#${n}/INBOX`),
    );
    expect(deliveries.every((d) => d.items.length <= (d.function === 'aggregate-events' ? 5 : 10))).toBe(true);
  });

  it('after a kill resumes just after the last record every consumer finished, skipping none', async () => {
    await tableWith('killed', events(['a', 'b', 'c'], 4));
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = driverOn('killed', [spec('aggregate-events', ['event'], 2, 3)], async (delivery) => {
      if (delivery.items.includes('CONTACT#a/E2')) await held;
    });
    const done = (d: Delivery[]) => itemsOf(d).filter((item) => !['CONTACT#a/E2', 'CONTACT#a/E3'].includes(item));

    try {
      // Contact a's second batch hangs; b and c finish meanwhile, after it in the stream.
      await until('all but contact a’s second batch', 20_000, async () => {
        if (done(first.deliveries).length < 10) throw new Error(`${done(first.deliveries).length} delivered`);
      });
      const a1 = first.deliveries.find((d) => d.items.includes('CONTACT#a/E1'));
      const checkpointFile = path.join(first.dataDir, 'stream-checkpoints.json');
      const checkpoints = JSON.parse(readFileSync(checkpointFile, 'utf8')) as Record<string, string>;
      expect(Object.values(checkpoints)).toEqual([a1?.sequenceNumbers[1]]);

      // What a `kill -9` now leaves behind is this file: a new driver starts from it.
      const after = mkdtempSync(path.join(tmp, 'data-'));
      writeFileSync(path.join(after, 'stream-checkpoints.json'), JSON.stringify(checkpoints));
      const second = driverOn('killed', [spec('aggregate-events', ['event'], 2, 3)], undefined, { dataDir: after });
      await second.driver.idle();

      const again = itemsOf(second.deliveries);
      expect(again).not.toContain('CONTACT#a/E0');
      expect(again).not.toContain('CONTACT#a/E1');
      expect(again.filter((item) => item.startsWith('CONTACT#a/'))).toEqual(['CONTACT#a/E2', 'CONTACT#a/E3']);
      expect(again).toHaveLength(10);
    } finally {
      release();
    }
  });

  it('reads page after page while records wait, never pausing for the poll interval', async () => {
    const written = events(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], 50);
    await tableWith('backlog', written);

    // A poll interval far beyond the deadline: only reading without pauses can meet it.
    const { deliveries } = driverOn('backlog', [spec('aggregate-events', ['event'], 10)], undefined, {
      pollMs: 600_000,
      maxBuffered: 60,
    });

    await until('the backlog delivered', 30_000, async () => {
      if (itemsOf(deliveries).length < written.length) throw new Error(`${itemsOf(deliveries).length} delivered`);
    });
    expect(new Set(itemsOf(deliveries)).size).toBe(written.length);
  });

  it('answers idle() only once records written before it are delivered, also after a quiet spell', async () => {
    await tableWith('quiet', events(['a'], 1));
    const { driver, deliveries } = driverOn('quiet', [spec('aggregate-events', ['event'], 10)], undefined, {
      pollMs: 600_000,
    });
    await driver.idle();
    expect(itemsOf(deliveries)).toEqual(['CONTACT#a/E0']);

    await tableWith('quiet', events(['b', 'c'], 3));
    await driver.idle();

    expect(itemsOf(deliveries)).toHaveLength(7);
  });

  it('reads the stream as soon as a nudged client writes, however long the quiet stream would nap', async () => {
    await tableWith('nudged', events(['a'], 1));
    const { driver, deliveries } = driverOn('nudged', [spec('aggregate-events', ['event'], 10)], undefined, {
      pollMs: 600_000,
    });
    await driver.idle();
    const writer = new DynamoDBClient({ region: 'us-east-1', endpoint, credentials: LOCAL_CREDENTIALS });
    const nudges: string[] = [];
    const stop = nudgeOnWrites(writer, () => {
      nudges.push('write');
      driver.nudge();
    });
    try {
      // Written by the nudged client, never asked for with idle(): only the nudge reads it.
      await writer.send(
        new BatchWriteItemCommand({
          RequestItems: {
            nudged: [{ PutRequest: { Item: { pk: { S: 'CONTACT#b' }, sk: { S: 'E0' }, type: { S: 'event' } } } }],
          },
        }),
      );
      await until('the nudged write delivered', 30_000, async () => {
        if (!itemsOf(deliveries).includes('CONTACT#b/E0')) throw new Error('not yet');
      });
      // Writes nudge; reads do not.
      await writer.send(new ListTablesCommand({}));
      expect(nudges).toEqual(['write']);
    } finally {
      stop();
      writer.destroy();
    }
  });
});
