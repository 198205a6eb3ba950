import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DescribeTableCommand, type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { StreamSpec } from '../manifest.ts';
import { invokeFunction } from './functions.ts';

export interface StreamDriverOptions {
  dynamo: DynamoDBClient;
  endpoint: string;
  tableName: string;
  streams: readonly StreamSpec[];
  /** Where shard checkpoints are kept, so a restart resumes instead of replaying. */
  dataDir: string;
  log: (message: string, fields?: Record<string, unknown>) => void;
  pollMs?: number;
}

interface ShardCursor {
  shardId: string;
  iterator: string | undefined;
  closed: boolean;
}

/**
 * The local stand-in for Lambda event source mappings on a DynamoDB stream: polls DynamoDB
 * Local's stream, filters records as the CDK FilterCriteria do, invokes the same handler,
 * retries the records it reports as failed and finally writes them to a dead-letter item.
 */
export function startStreamDriver(options: StreamDriverOptions): { close(): Promise<void>; idle(): Promise<void> } {
  const streamsClient = new DynamoDBStreamsClient({
    region: 'us-east-1',
    endpoint: options.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const checkpointFile = path.join(options.dataDir, 'stream-checkpoints.json');
  const checkpoints: Record<string, string> = existsSync(checkpointFile)
    ? (JSON.parse(readFileSync(checkpointFile, 'utf8')) as Record<string, string>)
    : {};
  const saveCheckpoints = () => {
    writeFileSync(`${checkpointFile}.tmp`, JSON.stringify(checkpoints));
    renameSync(`${checkpointFile}.tmp`, checkpointFile);
  };
  const pollMs = options.pollMs ?? 100;
  let stopped = false;
  let streamArn: string | undefined;
  const cursors = new Map<string, ShardCursor>();
  let waiters: (() => void)[] = [];

  const refreshShards = async () => {
    if (!streamArn) {
      const table = await options.dynamo.send(new DescribeTableCommand({ TableName: options.tableName }));
      streamArn = table.Table?.LatestStreamArn;
      if (!streamArn) throw new Error(`table ${options.tableName} has no stream`);
    }
    const description = await streamsClient.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    for (const shard of description.StreamDescription?.Shards ?? []) {
      if (!shard.ShardId || cursors.has(shard.ShardId)) continue;
      const after = checkpoints[shard.ShardId];
      const out = await streamsClient.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shard.ShardId,
          ShardIteratorType: after ? 'AFTER_SEQUENCE_NUMBER' : 'TRIM_HORIZON',
          SequenceNumber: after,
        }),
      );
      cursors.set(shard.ShardId, { shardId: shard.ShardId, iterator: out.ShardIterator, closed: false });
    }
  };

  const deliver = async (spec: StreamSpec, records: StreamRecord[]) => {
    let pending = records;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const event = {
        Records: pending.map((r) => ({ ...r, eventSourceARN: streamArn })),
      } as unknown as DynamoDBStreamEvent;
      let failed: string[];
      try {
        const response = (await invokeFunction(spec.function, event)) as DynamoDBBatchResponse | undefined;
        failed = (response?.batchItemFailures ?? []).map((f) => f.itemIdentifier);
      } catch (error) {
        options.log('stream handler threw', { function: spec.function, error: String(error) });
        failed = pending.map((r) => r.dynamodb?.SequenceNumber ?? '');
      }
      pending = pending.filter((r) => failed.includes(r.dynamodb?.SequenceNumber ?? ''));
      if (pending.length === 0) return;
      if (attempt >= spec.maxAttempts) {
        for (const record of pending) await deadLetter(spec, record, attempt);
        return;
      }
      await new Promise((r) => setTimeout(r, Math.min(2_000, 50 * 2 ** attempt)));
    }
  };

  const deadLetter = async (spec: StreamSpec, record: StreamRecord, attempts: number) => {
    const at = new Date().toISOString();
    const seq = record.dynamodb?.SequenceNumber ?? 'unknown';
    options.log('stream record dead-lettered', { function: spec.function, sequenceNumber: seq, attempts });
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
  };

  const matches = (spec: StreamSpec, record: StreamRecord) => {
    const type = record.dynamodb?.NewImage?.type;
    const changes: readonly string[] = spec.changes ?? ['INSERT'];
    return (
      changes.includes(record.eventName ?? '') &&
      type !== undefined &&
      'S' in type &&
      spec.itemTypes.includes(type.S ?? '')
    );
  };

  const pollShard = async (cursor: ShardCursor): Promise<number> => {
    if (!cursor.iterator || cursor.closed) return 0;
    const out = await streamsClient.send(new GetRecordsCommand({ ShardIterator: cursor.iterator, Limit: 100 }));
    cursor.iterator = out.NextShardIterator;
    if (!out.NextShardIterator) cursor.closed = true;
    const records = (out.Records ?? []).map(repairEmptyMaps);
    // Each consumer is its own event source mapping, as on AWS: they run side by side (a slow
    // one never holds another back), each in stream order.
    await Promise.all(
      options.streams.map(async (spec) => {
        const selected = records.filter((r) => matches(spec, r));
        for (let i = 0; i < selected.length; i += spec.batchSize) {
          await deliver(spec, selected.slice(i, i + spec.batchSize));
        }
      }),
    );
    const last = records.at(-1)?.dynamodb?.SequenceNumber;
    if (last) {
      checkpoints[cursor.shardId] = last;
      saveCheckpoints();
    }
    return records.length;
  };

  const loop = (async () => {
    let lastRefresh = 0;
    while (!stopped) {
      let seen = 0;
      try {
        if (Date.now() - lastRefresh > 5_000 || cursors.size === 0) {
          await refreshShards();
          lastRefresh = Date.now();
        }
        for (const cursor of cursors.values()) seen += await pollShard(cursor);
      } catch (error) {
        if (!stopped) options.log('stream poll failed', { error: String(error) });
      }
      if (seen === 0) {
        for (const w of waiters) w();
        waiters = [];
        await new Promise((r) => setTimeout(r, pollMs));
      }
    }
  })();

  return {
    async close() {
      stopped = true;
      await loop;
      streamsClient.destroy();
    },
    /** Resolves once a poll finds nothing new: everything written so far has been delivered. */
    idle: () =>
      new Promise<void>((resolve) => {
        waiters.push(resolve);
      }),
  };
}

type Attribute = Record<string, unknown>;

/**
 * DynamoDB Local's stream reads an empty map back as `{}` rather than `{"M":{}}` (as AWS sends
 * it), which unmarshalling then rejects. Restores the `M` so handlers see what they would on AWS.
 */
export function repairEmptyMaps(record: StreamRecord): StreamRecord {
  const fix = (value: Attribute): Attribute => {
    if (Object.keys(value).length === 0) return { M: {} };
    if (value.M) return { M: fixImage(value.M as Record<string, Attribute>) };
    if (Array.isArray(value.L)) return { L: (value.L as Attribute[]).map(fix) };
    return value;
  };
  const fixImage = (image: Record<string, Attribute>) =>
    Object.fromEntries(Object.entries(image).map(([k, v]) => [k, fix(v)]));
  const data = record.dynamodb;
  if (!data) return record;
  return {
    ...record,
    dynamodb: {
      ...data,
      ...(data.NewImage ? { NewImage: fixImage(data.NewImage as unknown as Record<string, Attribute>) } : {}),
      ...(data.OldImage ? { OldImage: fixImage(data.OldImage as unknown as Record<string, Attribute>) } : {}),
    } as unknown as typeof data,
  };
}
