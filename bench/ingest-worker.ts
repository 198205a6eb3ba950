/**
 * The load generator of bench/ingest-sources.ts, forked so that autocannon and the per-request
 * signing run in their own process. One job: a warm-up, then the measured stage; every request
 * a new signed delivery of the job's source kind (or, for the baseline, one request resent).
 */
import autocannon from 'autocannon';
import type { SourceKind } from '#sources/providers/provider.ts';
import { deliveryFactory } from './ingest-signers.ts';
import type { LoadSummary } from './load-protocol.ts';

export interface IngestJob {
  url: string;
  /** `baseline`: one signed Standard Webhooks delivery, resent to the bare server. */
  kind: SourceKind | 'baseline';
  secret: string;
  runId: string;
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
}

export type IngestFromWorker =
  | { type: 'stage'; stage: 'warmup' | 'measured'; event: 'start' | 'end' }
  | { type: 'done'; result: { warmup: LoadSummary; measured: LoadSummary; generated: number } }
  | { type: 'error'; message: string };

const send = (message: IngestFromWorker, then?: () => void) => {
  process.send?.(message, undefined, {}, () => then?.());
};

async function stage(
  job: IngestJob,
  name: 'warmup' | 'measured',
  next: () => { headers: Record<string, string>; body: string },
) {
  const requests: autocannon.Request[] =
    job.kind === 'baseline'
      ? [{ method: 'POST', ...next() }]
      : [
          {
            method: 'POST',
            setupRequest: (request) => ({ ...request, method: 'POST', ...next() }),
          },
        ];
  send({ type: 'stage', stage: name, event: 'start' });
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  const seconds = name === 'warmup' ? job.warmupSeconds : job.durationSeconds;
  const result = await autocannon({ url: job.url, connections: job.connections, duration: seconds, requests });
  const cpu = process.cpuUsage(cpuBefore);
  const wallMs = performance.now() - wallBefore;
  send({ type: 'stage', stage: name, event: 'end' });
  const statusCounts = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count]));
  const summary: LoadSummary = {
    durationSeconds: (new Date(result.finish).getTime() - new Date(result.start).getTime()) / 1000,
    responses: Object.values(statusCounts).reduce((a, b) => a + b, 0),
    statusCounts,
    perSecond: { min: result.requests.min, max: result.requests.max, stddev: Math.round(result.requests.stddev) },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    latencyMs: {
      mean: result.latency.mean,
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    clientCpuPercent: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
    startedAt: new Date(result.start).toISOString(),
    finishedAt: new Date(result.finish).toISOString(),
  };
  return summary;
}

async function run(job: IngestJob) {
  let generated = 0;
  const make = deliveryFactory(job.kind === 'baseline' ? 'standard-webhooks' : job.kind, job.secret, job.runId);
  const next = () => {
    generated += 1;
    return make();
  };
  const warmup = await stage(job, 'warmup', next);
  const measured = await stage(job, 'measured', next);
  return { warmup, measured, generated };
}

process.on('message', (message: { type: 'run'; job: IngestJob }) => {
  if (message.type !== 'run') return;
  run(message.job).then(
    (result) => send({ type: 'done', result }, () => process.disconnect()),
    (error: unknown) => {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      send({ type: 'error', message: text }, () => process.disconnect());
    },
  );
});
