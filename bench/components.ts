/**
 * Component costs that explain the webhook number: the CPU each in-process step costs alone
 * (signature verify, API Gateway event construction, the whole ingest service on an in-memory
 * store) and the throughput DynamoDB Local allows for the two calls ingest makes.
 */
import type http from 'node:http';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { systemClock } from '#core/clock.ts';
import { toApiGatewayEvent } from '#infra/local/gateway.ts';
import { createLocalSecretBox } from '#platform/local-secret-box.ts';
import { createMemoryStore } from '#platform/memory-store.ts';
import { ingestWebhook } from '#sources/ingest-webhook.ts';
import { ensureSource } from '#sources/sources.ts';
import { verifyStandardWebhook } from '#sources/standard-webhooks.ts';
import { microsPerAsyncCall, microsPerCall, round } from './stats.ts';
import { createWebhookFactory } from './webhooks.ts';

export interface CpuCosts {
  /** µs per call, measured in this process, one call at a time. */
  verifySignatureMicros: number;
  apiGatewayEventMicros: number;
  ingestServiceInMemoryMicros: number;
  referenceSignMicros: number;
}

/** Times the CPU-only steps of one webhook, each alone. */
export async function measureCpuCosts(secret: string, runId: string): Promise<CpuCosts> {
  const iterations = 20_000;
  const factory = createWebhookFactory(secret, runId, 'cpu');
  const webhooks = Array.from({ length: iterations + Math.ceil(iterations / 10) }, () => factory.next());
  const at = (i: number) => webhooks[i % webhooks.length] ?? (webhooks[0] as (typeof webhooks)[number]);
  const bodies = webhooks.map((w) => Buffer.from(w.body));
  const now = Math.floor(Date.now() / 1000);

  const verifySignatureMicros = microsPerCall(iterations, (i) => {
    const w = at(i);
    const check = verifyStandardWebhook(
      secret,
      {
        webhookId: w.headers['webhook-id'],
        timestamp: w.headers['webhook-timestamp'],
        signature: w.headers['webhook-signature'],
        body: bodies[i % bodies.length] ?? Buffer.alloc(0),
      },
      now,
    );
    if (!check.ok) throw new Error(`signature check failed: ${check.reason}`);
    return check;
  });

  const url = new URL('http://127.0.0.1:3000/webhooks/demo-form');
  const apiGatewayEventMicros = microsPerCall(iterations, (i) => {
    const w = at(i);
    const req = {
      method: 'POST',
      httpVersion: '1.1',
      headers: {
        host: '127.0.0.1:3000',
        connection: 'keep-alive',
        'content-length': String(w.body.length),
        ...w.headers,
      },
      socket: { remoteAddress: '127.0.0.1' },
    } as unknown as http.IncomingMessage;
    return toApiGatewayEvent(req, url, bodies[i % bodies.length] ?? Buffer.alloc(0), 'POST /webhooks/{sourceId}', {
      sourceId: 'demo-form',
    });
  });

  const { store } = createMemoryStore();
  const deps = { store, clock: systemClock, secretBox: createLocalSecretBox('bench-local-secret-key') };
  await ensureSource(deps, { sourceId: 'demo-form', name: 'bench', kind: 'standard-webhooks', secret });
  const ingestServiceInMemoryMicros = await microsPerAsyncCall(iterations, async (i) => {
    const w = at(i);
    const headers: Record<string, string> = w.headers;
    const outcome = await ingestWebhook(deps, {
      sourceId: 'demo-form',
      header: (name) => headers[name],
      body: bodies[i % bodies.length] ?? Buffer.alloc(0),
    });
    return outcome;
  });

  const signer = createWebhookFactory(secret, runId, 'sign');
  const referenceSignMicros = microsPerCall(iterations, () => signer.next());

  return { verifySignatureMicros, apiGatewayEventMicros, ingestServiceInMemoryMicros, referenceSignMicros };
}

export interface DynamoCeiling {
  concurrency: number;
  seconds: number;
  /** Operations per second during each second of the JVM warm-up that preceded the measurement. */
  warmupPerSecond: number[];
  /** Conditional PutItem of an inbox-shaped item, alone. */
  putItemPerSecond: number;
  /** What ingest does per webhook: a consistent GetItem of the source, then the conditional PutItem. */
  getThenPutPerSecond: number;
}

/** Runs `op` from `concurrency` callers for `ms`; returns how many completed in each second. */
async function closedLoop(concurrency: number, ms: number, op: () => Promise<unknown>): Promise<number[]> {
  const started = performance.now();
  const until = started + ms;
  const perSecond = Array.from({ length: Math.ceil(ms / 1000) }, () => 0);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        await op();
        const second = Math.floor((performance.now() - started) / 1000);
        if (second < perSecond.length) perSecond[second] = (perSecond[second] ?? 0) + 1;
      }
    }),
  );
  return perSecond;
}

const mean = (values: number[]) => round(values.reduce((a, b) => a + b, 0) / Math.max(1, values.length));

/**
 * DynamoDB Local's ceiling for ingest's own calls, through the app's document client with
 * `concurrency` callers (as many as autocannon has connections). DynamoDB Local is a JVM that
 * starts slow (a few hundred writes/s for its first seconds), so the calls run for
 * `warmupSeconds` first and those seconds are reported separately. The items are typed
 * `bench-probe`, which no stream consumer picks up.
 */
export async function measureDynamoCeiling(
  db: DynamoDBDocumentClient,
  tableName: string,
  options: { runId: string; concurrency: number; seconds: number; warmupSeconds: number },
  onWarmupSecond: (second: number, ops: number) => void,
): Promise<DynamoCeiling> {
  let n = 0;
  const put = async () => {
    n += 1;
    const webhookId = `msg_probe_${options.runId}_${n}`;
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          pk: `BENCHPROBE#demo-form:${webhookId}`,
          sk: 'INBOX',
          type: 'bench-probe',
          inboxId: `demo-form:${webhookId}`,
          sourceId: 'demo-form',
          webhookId,
          receivedAt: new Date().toISOString(),
          body: JSON.stringify({ email: `probe-${options.runId}-${n}@example.com`, firstName: 'Bench' }),
          status: 'received',
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  };
  const getThenPut = async () => {
    await db.send(
      new GetCommand({ TableName: tableName, Key: { pk: 'SOURCE#demo-form', sk: 'SOURCE' }, ConsistentRead: true }),
    );
    await put();
  };
  const warmupPerSecond: number[] = [];
  for (let second = 1; second <= options.warmupSeconds; second++) {
    const [ops = 0] = await closedLoop(options.concurrency, 1_000, second % 2 === 0 ? getThenPut : put);
    warmupPerSecond.push(ops);
    onWarmupSecond(second, ops);
  }
  const ms = options.seconds * 1000;
  return {
    concurrency: options.concurrency,
    seconds: options.seconds,
    warmupPerSecond,
    putItemPerSecond: mean(await closedLoop(options.concurrency, ms, put)),
    getThenPutPerSecond: mean(await closedLoop(options.concurrency, ms, getThenPut)),
  };
}
