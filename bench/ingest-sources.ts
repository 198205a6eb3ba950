/**
 * `npm run bench:ingest`: webhook ingest per source kind. In one run on this machine it measures
 *   1. the bare Node HTTP server of bench/baseline-server.ts under autocannon (one signed
 *      request resent), the baseline every throughput is divided by,
 *   2. for each source kind (Standard Webhooks, Shopify, Stripe, WooCommerce, Typeform), a source
 *      created through POST /api/sources on the local stack, then POST /webhooks/<id> under the
 *      same load, every request a new correctly signed delivery (new event / delivery id, order
 *      id and email, so none is a duplicate).
 * Between kinds it waits (bounded) for the processing backlog of the previous one to drain, so
 * each kind starts from an idle stack. Prints a markdown table and writes
 * bench/results/ingest-latest.{json,md}.
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SOURCE_KINDS, type SourceKind } from '#sources/providers/provider.ts';
import {
  DEFAULT_ADMIN_TOKEN,
  DEFAULT_DEMO_SOURCE_SECRET,
  type LocalStack,
  startLocalStack,
} from '../infra/local/stack.ts';
import { startBaselineServer } from './baseline-server.ts';
import { type CpuSample, cpuPercent, sampleCpu } from './cpu.ts';
import type { IngestFromWorker, IngestJob } from './ingest-worker.ts';
import type { LoadSummary } from './load-protocol.ts';
import { round } from './stats.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const RESULTS_DIR = path.join(ROOT, 'bench/results');

const HELP = `Usage: npm run bench:ingest [-- options]

  --connections N      autocannon connections (default 10)
  --duration S         measured seconds per source kind (default 8)
  --warmup S           autocannon warm-up seconds before each measured run (default 3)
  --jvm-warmup S       unrecorded load before the first kind, to warm DynamoDB Local (default 10)
  --drain-timeout S    longest wait for the previous kind's backlog (default 60)
  --kinds a,b          source kinds to measure (default all five)`;

const { values: args } = parseArgs({
  options: {
    connections: { type: 'string', default: '10' },
    duration: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '3' },
    'jvm-warmup': { type: 'string', default: '10' },
    'drain-timeout': { type: 'string', default: '60' },
    kinds: { type: 'string', default: SOURCE_KINDS.join(',') },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  console.log(HELP);
  process.exit(0);
}
const num = (name: 'connections' | 'duration' | 'warmup' | 'jvm-warmup' | 'drain-timeout') => {
  const value = Number(args[name]);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number ≥ 0`);
  return value;
};
const options = {
  connections: Math.max(1, Math.round(num('connections'))),
  durationSeconds: Math.max(1, num('duration')),
  warmupSeconds: num('warmup'),
  jvmWarmupSeconds: num('jvm-warmup'),
  drainTimeoutSeconds: num('drain-timeout'),
  kinds: args.kinds.split(',').map((k) => k.trim()) as SourceKind[],
};
for (const kind of options.kinds) {
  if (!(SOURCE_KINDS as readonly string[]).includes(kind)) throw new Error(`unknown source kind "${kind}"`);
}

const say = (line: string) => process.stdout.write(`${line}\n`);

interface Measured {
  label: string;
  kind: SourceKind | 'baseline';
  url: string;
  acceptedPerSecond: number;
  responsesPerSecond: number;
  latencyMs: LoadSummary['latencyMs'];
  non2xx: number;
  errors: number;
  statusCounts: Record<string, number>;
  ratioToBaseline: number;
  cpu: { benchProcess: number; loadGenerator: number; dynamoDbLocal: number | undefined };
  generated: number;
  /** Seconds the stack took, after the load, to process this kind's backlog (bounded). */
  drainSeconds?: number;
  drained?: boolean;
  summary: LoadSummary;
}

/** Runs one job in a forked bench/ingest-worker.ts and samples CPU over the measured stage. */
async function drive(job: IngestJob, javaPid: number | undefined) {
  const child = fork(path.join(ROOT, 'bench/ingest-worker.ts'), [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let from: CpuSample | undefined;
  let to: CpuSample | undefined;
  try {
    const result = await new Promise<Extract<IngestFromWorker, { type: 'done' }>['result']>((resolve, reject) => {
      let settled = false;
      child.on('message', (message: IngestFromWorker) => {
        if (message.type === 'stage') {
          if (message.stage === 'measured' && message.event === 'start') from = sampleCpu(javaPid);
          if (message.stage === 'measured' && message.event === 'end') to = sampleCpu(javaPid);
        } else if (message.type === 'done') {
          settled = true;
          resolve(message.result);
        } else {
          settled = true;
          reject(new Error(`load generator failed: ${message.message}`));
        }
      });
      child.once('error', reject);
      child.once('exit', (code) => {
        if (!settled) reject(new Error(`load generator exited early (code ${code})`));
      });
      child.send({ type: 'run', job });
    });
    const cpu = from && to ? cpuPercent(from, to) : { self: Number.NaN, other: undefined };
    return { ...result, cpu };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill();
  }
}

function measured(
  label: string,
  job: IngestJob,
  run: Awaited<ReturnType<typeof drive>>,
  baselinePerSecond: number,
): Measured {
  const m = run.measured;
  const accepted = job.kind === 'baseline' ? m.responses - m.non2xx : (m.statusCounts['202'] ?? 0);
  const acceptedPerSecond = round(accepted / m.durationSeconds);
  const result: Measured = {
    label,
    kind: job.kind,
    url: job.url,
    acceptedPerSecond,
    responsesPerSecond: round(m.responses / m.durationSeconds),
    latencyMs: m.latencyMs,
    non2xx: m.non2xx,
    errors: m.errors,
    statusCounts: m.statusCounts,
    ratioToBaseline: baselinePerSecond > 0 ? round(acceptedPerSecond / baselinePerSecond, 4) : 1,
    cpu: { benchProcess: run.cpu.self, loadGenerator: round(m.clientCpuPercent, 1), dynamoDbLocal: run.cpu.other },
    generated: run.generated,
    summary: m,
  };
  say(
    `  → ${result.acceptedPerSecond} accepted/s (${result.responsesPerSecond} responses/s), p50 ${m.latencyMs.p50} ms, ` +
      `p99 ${m.latencyMs.p99} ms, non-2xx ${m.non2xx}, errors ${m.errors}, statuses ${JSON.stringify(m.statusCounts)}; ` +
      `CPU: this process ${result.cpu.benchProcess}%, generator ${result.cpu.loadGenerator}%` +
      (result.cpu.dynamoDbLocal === undefined ? '' : `, DynamoDB Local ${result.cpu.dynamoDbLocal}%`),
  );
  return result;
}

async function waitDrained(stack: LocalStack, timeoutSeconds: number) {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    stack.drained().then(() => 'drained' as const),
    new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutSeconds * 1000);
    }),
  ]).finally(() => clearTimeout(timer));
  return { drained: outcome === 'drained', seconds: round((performance.now() - started) / 1000, 1) };
}

const fmt = (n: number) => n.toLocaleString('en');

function markdown(results: {
  date: string;
  commandLine: string;
  machine: string;
  options: typeof options;
  baseline: Measured;
  kinds: Measured[];
}): string {
  const o = results.options;
  const lines = [
    '# Tend ingest benchmark, per source kind',
    '',
    `${results.date}; ${results.machine}. \`${results.commandLine}\`: ${o.connections} connections, ` +
      `${o.warmupSeconds} s warm-up + ${o.durationSeconds} s measured per row.`,
    '',
    '| Target | Accepted/s | × baseline | p50 | p99 | non-2xx | Errors | CPU: stack / generator / DynamoDB Local | Backlog drained after |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of [results.baseline, ...results.kinds]) {
    const drain =
      r.drainSeconds === undefined
        ? '–'
        : `${r.drained ? '' : '> '}${r.drainSeconds} s${r.drained ? '' : ' (timed out)'}`;
    lines.push(
      `| ${r.label} | ${fmt(r.acceptedPerSecond)} | ${r.kind === 'baseline' ? '1' : r.ratioToBaseline} | ` +
        `${r.latencyMs.p50} ms | ${r.latencyMs.p99} ms | ${fmt(r.non2xx)} | ${fmt(r.errors)} | ` +
        `${r.cpu.benchProcess}% / ${r.cpu.loadGenerator}% / ${r.cpu.dynamoDbLocal ?? '–'}% | ${drain} |`,
    );
  }
  lines.push('');
  return `${lines.join('\n')}\n`;
}

async function main() {
  const started = performance.now();
  const runId = randomUUID().slice(0, 8);
  const cpus = os.cpus();
  const machine = `${cpus[0]?.model.trim()}, ${cpus.length} cores, Node ${process.version}, load average ${os
    .loadavg()
    .map((l) => round(l, 2))
    .join(' ')} at start`;
  say(`Tend ingest benchmark per source kind, run ${runId}: ${machine}`);
  const job = (url: string, kind: IngestJob['kind'], secret: string, warmupSeconds = options.warmupSeconds) => ({
    url,
    kind,
    secret,
    runId,
    connections: options.connections,
    warmupSeconds,
    durationSeconds: options.durationSeconds,
  });

  // 1. The baseline, in this process and this run.
  const bare = await startBaselineServer();
  let baseline: Measured;
  try {
    const j = job(`${bare.url}/webhooks/baseline`, 'baseline', DEFAULT_DEMO_SOURCE_SECRET);
    say(`\n▶ baseline: bare http server, one signed request resent`);
    baseline = measured('baseline: bare Node http server', j, await drive(j, undefined), 0);
  } finally {
    await bare.close();
  }

  // 2. The local stack.
  say('\n▶ starting the local stack');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tend-bench-ingest-'));
  let stack: LocalStack | undefined;
  const stop = async () => {
    const running = stack;
    stack = undefined;
    await running?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    void stop().finally(() => process.exit(130));
  });
  try {
    stack = await startLocalStack({
      dataDir,
      inMemory: true,
      apiPort: 0,
      sesPort: 0,
      dynamoPort: 0,
      sfnPort: 0,
      timeScale: 1,
      adminToken: DEFAULT_ADMIN_TOKEN,
      demoSourceSecret: DEFAULT_DEMO_SOURCE_SECRET,
      log: () => {},
    });
    const javaPid = Number(readFileSync(path.join(dataDir, 'dynamodb-local.pid'), 'utf8')) || undefined;
    const apiUrl = stack.urls.api.replace('//localhost:', '//127.0.0.1:');
    say(`  api ${apiUrl}, DynamoDB Local pid ${javaPid}`);

    // Sources: Shopify and Stripe take the app's secret; the others are given one.
    const sources = new Map<SourceKind, { id: string; secret: string }>();
    for (const kind of options.kinds) {
      const given =
        kind === 'shopify'
          ? `shpss_${randomUUID().replaceAll('-', '')}`
          : kind === 'stripe'
            ? `whsec_${randomUUID().replaceAll('-', '')}`
            : undefined;
      const id = `bench-${kind}-${runId}`;
      const res = await fetch(`${apiUrl}/api/sources`, {
        method: 'POST',
        headers: { authorization: `Bearer ${DEFAULT_ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ sourceId: id, name: `Bench ${kind}`, kind, ...(given ? { secret: given } : {}) }),
      });
      const body = (await res.json()) as { secret?: string };
      const secret = given ?? body.secret;
      if (res.status !== 201 || !secret)
        throw new Error(`creating the ${kind} source: ${res.status} ${JSON.stringify(body)}`);
      sources.set(kind, { id, secret });
    }

    const first = options.kinds[0] as SourceKind;
    const firstSource = sources.get(first) as { id: string; secret: string };
    if (options.jvmWarmupSeconds > 0) {
      say(`\n▶ ${options.jvmWarmupSeconds} s unrecorded ${first} load to warm DynamoDB Local's JVM`);
      await drive(
        {
          ...job(`${apiUrl}/webhooks/${firstSource.id}`, first, firstSource.secret, 0),
          // Its own ids: the measured run of the same kind must not resend them as duplicates.
          runId: `${runId}jvm`,
          durationSeconds: options.jvmWarmupSeconds,
        },
        javaPid,
      );
      const drain = await waitDrained(stack, options.drainTimeoutSeconds);
      say(`  backlog ${drain.drained ? 'drained' : 'still draining'} after ${drain.seconds} s`);
    }

    const kinds: Measured[] = [];
    for (const kind of options.kinds) {
      const source = sources.get(kind) as { id: string; secret: string };
      const j = job(`${apiUrl}/webhooks/${source.id}`, kind, source.secret);
      say(`\n▶ ${kind}: POST /webhooks/${source.id}, unique signed deliveries`);
      const result = measured(kind, j, await drive(j, javaPid), baseline.acceptedPerSecond);
      const drain = await waitDrained(stack, options.drainTimeoutSeconds);
      result.drainSeconds = drain.seconds;
      result.drained = drain.drained;
      say(`  backlog ${drain.drained ? 'drained' : 'still draining'} after ${drain.seconds} s`);
      kinds.push(result);
    }

    const results = {
      runId,
      date: new Date().toISOString(),
      commandLine: `npm run bench:ingest${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
      machine,
      options,
      baseline,
      kinds,
      totalSeconds: round((performance.now() - started) / 1000),
    };
    const report = markdown(results);
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(path.join(RESULTS_DIR, 'ingest-latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(path.join(RESULTS_DIR, 'ingest-latest.md'), report);
    say(`\n${report}`);
    say(`Wrote bench/results/ingest-latest.json and bench/results/ingest-latest.md after ${results.totalSeconds} s.`);
    if (kinds.some((k) => k.acceptedPerSecond === 0)) process.exitCode = 1;
  } finally {
    say('▶ stopping the local stack');
    await stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
