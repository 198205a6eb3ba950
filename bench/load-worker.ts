/**
 * The load generator, forked by bench/run.ts so that autocannon (and the per-request signing)
 * runs in its own process and does not share an event loop with the server under test.
 */
import autocannon from 'autocannon';
import type { FromWorker, LoadJob, LoadResult, LoadSummary, ToWorker } from './load-protocol.ts';
import { createOrderFactory, createWebhookFactory } from './webhooks.ts';

const send = (message: FromWorker, then?: () => void) => {
  process.send?.(message, undefined, {}, () => then?.());
};

async function stage(
  job: LoadJob,
  name: 'warmup' | 'measured',
  seconds: number,
  accepted: string[],
): Promise<{ summary: LoadSummary; generated: number }> {
  const phase = name === 'warmup' ? `${job.phase}w` : job.phase;
  const factory =
    job.mode === 'order'
      ? createOrderFactory(job.secret, job.runId, phase, job.customers ?? [])
      : createWebhookFactory(job.secret, job.runId, phase);
  const fixed = job.mode === 'static' ? factory.next() : undefined;
  const requests: autocannon.Request[] = fixed
    ? [{ method: 'POST', headers: fixed.headers, body: fixed.body }]
    : [
        {
          method: 'POST',
          // A new id, email and signature for every request; the email rides in the
          // per-request context so the 202s can be matched to the contacts they create.
          setupRequest: (request, context) => {
            const webhook = factory.next();
            context.email = webhook.email;
            return { ...request, method: 'POST', headers: webhook.headers, body: webhook.body };
          },
          onResponse: (status, _body, context) => {
            if (status === 202 && typeof context.email === 'string') accepted.push(context.email);
          },
        },
      ];
  send({ type: 'stage', stage: name, event: 'start' });
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  const instance = autocannon({ url: job.url, connections: job.connections, duration: seconds, requests });
  let second = 0;
  instance.on('tick', (tick: { counter: number }) => {
    second += 1;
    send({ type: 'tick', stage: name, second, responses: tick.counter });
  });
  const result = await instance;
  const cpu = process.cpuUsage(cpuBefore);
  const wallMs = performance.now() - wallBefore;
  send({ type: 'stage', stage: name, event: 'end' });
  const statusCounts = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count]));
  const responses = Object.values(statusCounts).reduce((a, b) => a + b, 0);
  return {
    generated: factory.count,
    summary: {
      durationSeconds: (new Date(result.finish).getTime() - new Date(result.start).getTime()) / 1000,
      responses,
      statusCounts,
      perSecond: {
        min: result.requests.min,
        max: result.requests.max,
        stddev: Math.round(result.requests.stddev),
      },
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
    },
  };
}

async function run(job: LoadJob): Promise<LoadResult> {
  const accepted: string[] = [];
  const warmup = await stage(job, 'warmup', job.warmupSeconds, accepted);
  const measured = await stage(job, 'measured', job.durationSeconds, accepted);
  return {
    warmup: warmup.summary,
    measured: measured.summary,
    generated: warmup.generated + measured.generated,
    acceptedEmails: accepted,
  };
}

process.on('message', (message: ToWorker) => {
  if (message.type !== 'run') return;
  run(message.job).then(
    (result) => {
      send({ type: 'done', result }, () => process.disconnect());
    },
    (error: unknown) => {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      send({ type: 'error', message: text }, () => process.disconnect());
    },
  );
});
