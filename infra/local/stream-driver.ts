import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DescribeTableCommand, type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  type DynamoDBStreamsClientConfig,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { z } from 'zod';
import { type FunctionName, type StreamSpec, table } from '../manifest.ts';
import { DEFAULT_PARALLELIZATION_FACTOR } from '../stream-mapping.ts';
import { invokeFunction } from './functions.ts';
import { createDispatcher, type DispatchConsumer, type ReadRecord } from './stream-dispatch.ts';
import { passesFilters, repairEmptyMaps } from './stream-records.ts';

export interface StreamDriverOptions {
  dynamo: DynamoDBClient;
  /** DynamoDB Streams endpoint of the table (for DynamoDB Local, its own URL). */
  endpoint: string;
  /** Region and credentials for that endpoint; without credentials, the SDK's default chain. */
  region?: string;
  credentials?: DynamoDBStreamsClientConfig['credentials'];
  tableName: string;
  streams: readonly StreamSpec[];
  /** Where shard checkpoints are kept, so a restart resumes instead of replaying. */
  dataDir: string;
  log: (message: string, fields?: Record<string, unknown>) => void;
  /** Longest pause between reads of a stream that has nothing new (default 100 ms). */
  pollMs?: number;
  /** Records read ahead of the consumers at most; reading pauses beyond it (default 2,000). */
  maxBuffered?: number;
  /** Runs a consumer's handler (default: the local function of that name). */
  invoke?: (name: FunctionName, event: unknown) => Promise<unknown>;
  /** Waits for a turn before each batch runs (the local front door's priority); default: none. */
  admit?: () => Promise<() => void>;
}

export interface StreamDriver {
  close(): Promise<void>;
  /** Resolves once everything written before the call has been delivered to every consumer. */
  idle(): Promise<void>;
  /** A write was made: read the stream now rather than at the end of the quiet stream's nap. */
  nudge(): void;
}

interface ShardCursor {
  shardId: string;
  parentShardId: string | undefined;
  iterator: string | undefined;
  /** The last record read, to ask for a new iterator after it when the old one expires. */
  lastRead: string | undefined;
  closed: boolean;
}

interface Consumer extends DispatchConsumer<StreamRecord> {
  spec: StreamSpec;
}

const checkpointsSchema = z.record(z.string(), z.string());

/**
 * The local stand-in for Lambda event source mappings on a DynamoDB stream: reads the table's
 * stream, filters records as the CDK FilterCriteria do and invokes the same handlers, several
 * batches at once per consumer with each partition key's records in order (ParallelizationFactor),
 * retries the records a handler reports as failed and finally writes them to a dead-letter item.
 */
export function startStreamDriver(options: StreamDriverOptions): StreamDriver {
  const streamsClient = new DynamoDBStreamsClient({
    region: options.region ?? 'us-east-1',
    endpoint: options.endpoint,
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  // Without a logger, the SDK's logger middleware only filters every record read for nothing
  // (as withoutSdkLogger in the app's clients).
  streamsClient.middlewareStack.remove('loggerMiddleware');
  const invoke = options.invoke ?? invokeFunction;
  const checkpointFile = path.join(options.dataDir, 'stream-checkpoints.json');
  const checkpoints = existsSync(checkpointFile)
    ? checkpointsSchema.parse(JSON.parse(readFileSync(checkpointFile, 'utf8')))
    : {};
  const pollMs = options.pollMs ?? 100;
  const maxBuffered = options.maxBuffered ?? 2_000;
  let stopped = false;
  let streamArn: string | undefined;
  const cursors = new Map<string, ShardCursor>();
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  const deadLetter = async (spec: StreamSpec, record: StreamRecord, attempts: number) => {
    const at = new Date().toISOString();
    const seq = record.dynamodb?.SequenceNumber ?? 'unknown';
    options.log('stream record dead-lettered', { function: spec.function, sequenceNumber: seq, attempts });
    // The record counts as finished only once written here; until then the checkpoint waits.
    for (let tries = 1; ; tries++) {
      try {
        await options.dynamo.send(
          new PutItemCommand({
            TableName: options.tableName,
            Item: {
              pk: { S: 'DEADLETTER' },
              sk: { S: `${at}#${seq}` },
              type: { S: 'dead-letter' },
              function: { S: spec.function },
              attempts: { N: String(attempts) },
              record: { S: JSON.stringify(record) },
            },
          }),
        );
        return;
      } catch (error) {
        if (stopped) throw error;
        options.log('dead-letter write failed', { function: spec.function, error: String(error) });
        await sleep(Math.min(5_000, 100 * 2 ** tries));
      }
    }
  };

  const deliver = async (consumer: Consumer, records: StreamRecord[]) => {
    const { spec } = consumer;
    let pending = records;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const event = {
        Records: pending.map((r) => ({ ...r, eventSourceARN: streamArn })),
      } as unknown as DynamoDBStreamEvent;
      let failed: string[];
      const done = await (options.admit?.() ?? (() => undefined));
      try {
        const response = (await invoke(spec.function, event)) as DynamoDBBatchResponse | undefined;
        failed = (response?.batchItemFailures ?? []).map((f) => f.itemIdentifier);
      } catch (error) {
        options.log('stream handler threw', { function: spec.function, error: String(error) });
        failed = pending.map((r) => r.dynamodb?.SequenceNumber ?? '');
      } finally {
        done();
      }
      pending = pending.filter((r) => failed.includes(r.dynamodb?.SequenceNumber ?? ''));
      if (pending.length === 0) return;
      if (attempt >= spec.maxAttempts) {
        for (const record of pending) await deadLetter(spec, record, attempt);
        return;
      }
      await sleep(Math.min(2_000, 50 * 2 ** attempt));
    }
  };

  const dispatcher = createDispatcher<StreamRecord, Consumer>({
    consumers: options.streams.map((spec) => ({
      spec,
      name: spec.function,
      batchSize: spec.batchSize,
      parallelization: spec.parallelizationFactor ?? DEFAULT_PARALLELIZATION_FACTOR,
      batchingWindowMs: (spec.batchingWindowSeconds ?? 0) * 1_000,
      wants: (record) => passesFilters(spec, record),
    })),
    deliver,
    checkpoint: (shardId, sequenceNumber) => {
      checkpoints[shardId] = sequenceNumber;
      writeFileSync(`${checkpointFile}.tmp`, JSON.stringify(checkpoints));
      renameSync(`${checkpointFile}.tmp`, checkpointFile);
      if (dispatcher.outstanding() === 0) wake();
    },
    onError: (consumer, error) => {
      if (!stopped) options.log('stream delivery failed', { function: consumer.name, error: String(error) });
    },
  });

  const iteratorAfter = async (shardId: string, after: string | undefined) => {
    const out = await streamsClient.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ShardIteratorType: after ? 'AFTER_SEQUENCE_NUMBER' : 'TRIM_HORIZON',
        SequenceNumber: after,
      }),
    );
    return out.ShardIterator;
  };

  const refreshShards = async () => {
    if (!streamArn) {
      const described = await options.dynamo.send(new DescribeTableCommand({ TableName: options.tableName }));
      streamArn = described.Table?.LatestStreamArn;
      if (!streamArn) throw new Error(`table ${options.tableName} has no stream`);
    }
    const description = await streamsClient.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    for (const shard of description.StreamDescription?.Shards ?? []) {
      if (!shard.ShardId || cursors.has(shard.ShardId)) continue;
      const after = checkpoints[shard.ShardId];
      cursors.set(shard.ShardId, {
        shardId: shard.ShardId,
        parentShardId: shard.ParentShardId,
        iterator: await iteratorAfter(shard.ShardId, after),
        lastRead: after,
        closed: false,
      });
    }
  };

  /** A child shard is read only after its parent is read to its end, so a key's records stay in order. */
  const readable = (cursor: ShardCursor) => {
    const parent = cursor.parentShardId ? cursors.get(cursor.parentShardId) : undefined;
    return !cursor.closed && cursor.iterator !== undefined && (!parent || parent.closed);
  };

  const readShard = async (cursor: ShardCursor, limit: number): Promise<number> => {
    let out: GetRecordsCommandOutput;
    try {
      out = await streamsClient.send(new GetRecordsCommand({ ShardIterator: cursor.iterator, Limit: limit }));
    } catch (error) {
      // Iterators expire (15 minutes on AWS), e.g. while reading waits for busy consumers.
      if ((error as Error).name !== 'ExpiredIteratorException') throw error;
      cursor.iterator = await iteratorAfter(cursor.shardId, cursor.lastRead);
      return 0;
    }
    cursor.iterator = out.NextShardIterator;
    if (!out.NextShardIterator) cursor.closed = true;
    const read: ReadRecord<StreamRecord>[] = (out.Records ?? []).map((raw) => {
      const record = repairEmptyMaps(raw);
      const sequenceNumber = record.dynamodb?.SequenceNumber ?? '';
      const key = record.dynamodb?.Keys?.[table.partitionKey]?.S ?? sequenceNumber;
      return { sequenceNumber, key, record };
    });
    cursor.lastRead = read.at(-1)?.sequenceNumber ?? cursor.lastRead;
    dispatcher.push(cursor.shardId, read);
    return read.length;
  };

  // idle() callers, each with the number of the last read pass begun before it asked.
  let passes = 0;
  let waiters: { after: number; resolve: () => void }[] = [];
  let wakeUp: (() => void) | undefined;
  function wake() {
    wakeUp?.();
  }
  /** Waits up to `ms`, less when idle() is called or the consumers catch up. */
  const nap = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        if (wakeUp === done) wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });

  // Set by nudge(): a write happened, so records are on their way.
  let nudged = false;
  const loop = (async () => {
    let lastRefresh = 0;
    let emptyPasses = 0;
    while (!stopped) {
      const pass = ++passes;
      let seen = 0;
      let full = false;
      try {
        if (Date.now() - lastRefresh > 5_000 || cursors.size === 0) {
          await refreshShards();
          lastRefresh = Date.now();
        }
        for (const cursor of [...cursors.values()].filter(readable)) {
          const room = maxBuffered - dispatcher.outstanding();
          if (room <= 0) {
            full = true;
            break;
          }
          seen += await readShard(cursor, Math.min(1_000, room));
        }
      } catch (error) {
        if (!stopped) options.log('stream poll failed', { error: String(error) });
        seen = -1;
      }
      if (seen === 0 && !full && dispatcher.outstanding() === 0) {
        const done = waiters.filter((w) => w.after < pass);
        waiters = waiters.filter((w) => w.after >= pass);
        for (const w of done) w.resolve();
      }
      if (full) {
        // Records are waiting for the consumers, not for the stream: read again once a batch ends.
        const napping = nap(pollMs);
        void dispatcher.changed().then(wake);
        await napping;
      } else if (seen > 0) {
        emptyPasses = 0;
      } else {
        // DynamoDB Local can answer an empty page while records are still arriving: look again
        // soon, and back off to pollMs only while the stream stays quiet (a write starts over).
        if (nudged) emptyPasses = 0;
        nudged = false;
        emptyPasses++;
        await nap(Math.min(pollMs, 5 * 2 ** emptyPasses));
      }
    }
  })();

  return {
    async close() {
      stopped = true;
      wake();
      await loop;
      await dispatcher.stop();
      streamsClient.destroy();
    },
    idle: () =>
      new Promise<void>((resolve) => {
        waiters.push({ after: passes, resolve });
        wake();
      }),
    nudge() {
      nudged = true;
      wake();
    },
  };
}
