import type { CpuCosts, DynamoCeiling } from './components.ts';
import type { LoadSummary } from './load-protocol.ts';
import type { Distribution } from './stats.ts';

export interface Machine {
  cpuModel: string;
  cores: number;
  node: string;
  platform: string;
  memoryGb: number;
  loadAverageAtStart: number[];
}

export interface LoadPhaseResult {
  url: string;
  connections: number;
  warmupSeconds: number;
  measured: LoadSummary;
  /** 202 responses per second of the measured stage. */
  acceptedPerSecond: number;
  /** All responses per second of the measured stage. */
  responsesPerSecond: number;
  /** CPU during the measured stage, % of one core. */
  cpu: { benchProcess: number; loadGenerator: number; dynamoDbLocal: number | undefined };
}

export interface BenchResults {
  runId: string;
  date: string;
  command: string;
  machine: Machine;
  options: { connections: number; durationSeconds: number; warmupSeconds: number; latencySamples: number; pollMs: number };
  baseline: LoadPhaseResult;
  baselineStatic: LoadPhaseResult;
  stackStartSeconds: number;
  cpuCosts: CpuCosts;
  dynamoCeiling: DynamoCeiling;
  webhooks: LoadPhaseResult & {
    signing: string;
    generated: number;
    acceptedTotal: number;
    processing: {
      drained: boolean;
      /** Seconds from the end of the load until the last welcome email appeared. */
      drainSeconds: number;
      recipientsWithEmail: number;
      acceptedWithoutEmail: number;
      duplicateEmails: number;
      /** Welcome emails to addresses whose 202 the generator never saw (in flight when a stage ended). */
      emailsBeyondAccepted: number;
      /** Welcome emails per second from the start of the warm-up to the last one. */
      emailsPerSecond: number;
      deadLetters: number;
    };
  };
  latency: {
    samples: number;
    discardedWarmup: number;
    pollIntervalMs: number;
    /** Mean time between the starts of two store polls (interval + one HTTP round trip). */
    effectivePollMs: number;
    ackMs: Distribution;
    emailMs: Distribution;
  };
  stackLog: string[];
}

const n = (value: number, digits = 0) =>
  Number.isFinite(value)
    ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : 'n/a';
const ratio = (value: number, base: number) => (base > 0 ? `${n(value / base, value / base < 0.1 ? 3 : 2)}×` : 'n/a');
const ms = (value: number) => `${n(value, value < 10 ? 1 : 0)} ms`;
const cpu = (value: number | undefined) => (value === undefined ? 'n/a' : `${n(value)}%`);

/** The markdown the run prints and writes to bench/results/latest.md. */
export function markdown(r: BenchResults): string {
  const base = r.baseline.responsesPerSecond;
  const w = r.webhooks;
  const p = w.processing;
  const status = (s: LoadSummary) =>
    Object.entries(s.statusCounts)
      .map(([code, count]) => `${code}: ${n(count)}`)
      .join(', ');
  const lines = [
    `Run ${r.runId}, ${r.date}: ${r.machine.cpuModel}, ${r.machine.cores} cores, Node ${r.machine.node}; ` +
      `${r.options.connections} connections, ${r.options.warmupSeconds} s warm-up + ${r.options.durationSeconds} s measured.`,
    '',
    '| Measurement | Throughput | Latency p50 / p99 | vs baseline |',
    '| --- | ---: | ---: | ---: |',
    `| Baseline: bare Node \`http\` server, unique signed webhooks | ${n(base)} req/s | ${ms(r.baseline.measured.latencyMs.p50)} / ${ms(r.baseline.measured.latencyMs.p99)} | 1.00× |`,
    `| Bare server, one static request resent (generator cost check) | ${n(r.baselineStatic.responsesPerSecond)} req/s | ${ms(r.baselineStatic.measured.latencyMs.p50)} / ${ms(r.baselineStatic.measured.latencyMs.p99)} | ${ratio(r.baselineStatic.responsesPerSecond, base)} |`,
    `| DynamoDB Local: conditional PutItem alone (${r.dynamoCeiling.concurrency} callers, SDK) | ${n(r.dynamoCeiling.putItemPerSecond)} /s | | ${ratio(r.dynamoCeiling.putItemPerSecond, base)} |`,
    `| DynamoDB Local: GetItem + conditional PutItem (ingest's two calls) | ${n(r.dynamoCeiling.getThenPutPerSecond)} /s | | ${ratio(r.dynamoCeiling.getThenPutPerSecond, base)} |`,
    `| **\`POST /webhooks/demo-form\`, accepted (202)** | **${n(w.acceptedPerSecond)} /s** | ${ms(w.measured.latencyMs.p50)} / ${ms(w.measured.latencyMs.p99)} | **${ratio(w.acceptedPerSecond, base)}** |`,
    `| Webhooks processed to a contact + welcome email (during and after the load) | ${n(p.emailsPerSecond)} /s | | ${ratio(p.emailsPerSecond, base)} |`,
    '',
    `Webhook load: ${n(w.measured.responses)} responses in ${n(w.measured.durationSeconds, 1)} s (${status(w.measured)}; ` +
      `non-2xx ${n(w.measured.non2xx)}, connection errors ${n(w.measured.errors)}, timeouts ${n(w.measured.timeouts)}). ` +
      `Nothing lost: of ${n(w.acceptedTotal)} webhooks answered 202 (warm-up included), ` +
      `${n(w.acceptedTotal - p.acceptedWithoutEmail)} got their welcome email, ${n(p.acceptedWithoutEmail)} did not; ` +
      `${n(p.duplicateEmails)} duplicate emails, ${n(p.emailsBeyondAccepted)} emails for requests still in flight when a stage ended, ` +
      `${n(p.deadLetters)} dead letters; the backlog took ${n(p.drainSeconds, 1)} s to drain after the load${p.drained ? '' : ' (NOT fully drained before the deadline)'}.`,
    '',
    '| Webhook → welcome email, sequential | p50 | p99 | max |',
    '| --- | ---: | ---: | ---: |',
    `| 202 acknowledged (n=${r.latency.ackMs.n}) | ${ms(r.latency.ackMs.p50)} | ${ms(r.latency.ackMs.p99)} | ${ms(r.latency.ackMs.max)} |`,
    `| Email captured by the SES emulator (n=${r.latency.emailMs.n}) | ${ms(r.latency.emailMs.p50)} | ${ms(r.latency.emailMs.p99)} | ${ms(r.latency.emailMs.max)} |`,
    '',
    `Store polled every ${r.latency.pollIntervalMs} ms (a poll started every ${n(r.latency.effectivePollMs, 1)} ms on average, round trip included).`,
    '',
    '| CPU during the measured stage (% of one core) | Bench process (server side) | Load generator | DynamoDB Local (Java) |',
    '| --- | ---: | ---: | ---: |',
    `| Baseline | ${cpu(r.baseline.cpu.benchProcess)} | ${cpu(r.baseline.cpu.loadGenerator)} | |`,
    `| Webhooks | ${cpu(w.cpu.benchProcess)} | ${cpu(w.cpu.loadGenerator)} | ${cpu(w.cpu.dynamoDbLocal)} |`,
    '',
    '| In-process CPU cost per webhook, one call at a time | µs |',
    '| --- | ---: |',
    `| Verify the Standard Webhooks signature (node:crypto HMAC) | ${n(r.cpuCosts.verifySignatureMicros, 1)} |`,
    `| Build the API Gateway v2 event (local gateway) | ${n(r.cpuCosts.apiGatewayEventMicros, 1)} |`,
    `| Whole ingest service on the in-memory store (verify, JSON, zod, store) | ${n(r.cpuCosts.ingestServiceInMemoryMicros, 1)} |`,
    `| Sign one webhook with the reference \`standardwebhooks\` package (load generator side) | ${n(r.cpuCosts.referenceSignMicros, 1)} |`,
  ];
  return `${lines.join('\n')}\n`;
}
