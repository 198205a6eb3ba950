import type { CpuCosts, DynamoCeiling } from './components.ts';
import type { EventKindCalls } from './event-kinds.ts';
import type { LatencyResult } from './latency.ts';
import type { LoadSummary } from './load-protocol.ts';
import type { ProcessingCheck } from './pipeline.ts';
import { eventKindsMarkdown } from './report-event-kinds.ts';

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
  /** The commit measured (short sha, flagged when the tree had uncommitted changes). */
  commit: string;
  command: string;
  machine: Machine;
  options: {
    connections: number;
    durationSeconds: number;
    warmupSeconds: number;
    jvmWarmupSeconds: number;
    latencySamples: number;
    orderSamples: number;
    pollMs: number;
    drainTimeoutSeconds: number;
  };
  /** The bare server, one signed request resent: what the divisor of every ratio is. */
  baseline: LoadPhaseResult;
  /** The bare server with the same unique-signed-webhook generator the stack run uses. */
  bareSigned: LoadPhaseResult;
  stackStartSeconds: number;
  cpuCosts: CpuCosts;
  dynamoCeiling: DynamoCeiling;
  webhooks: LoadPhaseResult & {
    signing: string;
    generated: number;
    acceptedTotal: number;
    processing: ProcessingCheck & { deadLetters: number };
    /** SDK calls by the app's clients from the start of the load until the backlog drained. */
    sdkCalls: Record<string, number>;
  };
  /** Signed `order.placed` envelopes from the contacts the webhook load created. */
  orders: LoadPhaseResult & {
    /** Seconds from the end of the order load until the stack was quiet. */
    settleSeconds: number;
  };
  /** DynamoDB calls per event kind, under load and one at a time. */
  eventKinds: EventKindCalls[];
  latency: LatencyResult;
  stackLog: string[];
  totalSeconds: number;
}

const n = (value: number, digits = 0) =>
  Number.isFinite(value)
    ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : 'n/a';
/** Two significant digits below 1 (0.0077×), two decimals above. */
const ratio = (value: number, base: number) => {
  if (!(base > 0)) return 'n/a';
  const r = value / base;
  return `${r >= 1 || r === 0 ? n(r, 2) : Number(r.toPrecision(2)).toString()}×`;
};
const ms = (value: number) => `${n(value, value < 10 ? 1 : 0)} ms`;
/** autocannon's latency histogram counts whole milliseconds. */
const wholeMs = (value: number) => (value < 1 ? '<1 ms' : `${n(value)} ms`);
const cpu = (value: number | undefined) => (value === undefined ? 'n/a' : `${n(value)}%`);

/** The markdown the run prints and writes to bench/results/latest.md. */
export function markdown(r: BenchResults): string {
  const base = r.baseline.responsesPerSecond;
  const w = r.webhooks;
  const p = w.processing;
  const lat = (s: LoadSummary) => `${wholeMs(s.latencyMs.p50)} / ${wholeMs(s.latencyMs.p99)}`;
  const status = Object.entries(w.measured.statusCounts)
    .map(([code, count]) => `${code}: ${n(count)}`)
    .join(', ');
  const o = r.orders;
  const lines = [
    `Run \`${r.runId}\` of ${r.commit} on ${r.date.slice(0, 16).replace('T', ' ')} UTC: ${r.machine.cpuModel}, ${r.machine.cores} cores, ` +
      `Node ${r.machine.node}, load average at start ${r.machine.loadAverageAtStart.join(' ')}. ` +
      `autocannon: ${r.options.connections} connections, ${r.options.warmupSeconds} s warm-up + ${r.options.durationSeconds} s measured per run.`,
    '',
    '| Measurement | Throughput | Latency p50 / p99 | vs baseline |',
    '| --- | ---: | ---: | ---: |',
    `| Baseline: bare Node \`http\` server, small JSON POST → 202 | ${n(base)} req/s | ${lat(r.baseline.measured)} | 1.00× |`,
    `| Same bare server, unique signed webhooks (the generator's own ceiling) | ${n(r.bareSigned.responsesPerSecond)} req/s | ${lat(r.bareSigned.measured)} | ${ratio(r.bareSigned.responsesPerSecond, base)} |`,
    `| DynamoDB Local (warm), conditional PutItem, ${r.dynamoCeiling.concurrency} callers | ${n(r.dynamoCeiling.putItemPerSecond)} /s | | ${ratio(r.dynamoCeiling.putItemPerSecond, base)} |`,
    `| DynamoDB Local (warm), GetItem + conditional PutItem (ingest's two calls) | ${n(r.dynamoCeiling.getThenPutPerSecond)} /s | | ${ratio(r.dynamoCeiling.getThenPutPerSecond, base)} |`,
    `| **\`POST /webhooks/demo-form\` on the local stack, accepted (202)** | **${n(w.acceptedPerSecond)} /s** | ${lat(w.measured)} | **${ratio(w.acceptedPerSecond, base)}** |`,
    `| Accepted webhooks processed into a welcome email, while the load ran | ${n(p.emailsPerSecondDuringLoad, 1)} /s | | ${ratio(p.emailsPerSecondDuringLoad, base)} |`,
    `| Same, after the load (the backlog draining on an otherwise idle stack) | ${n(p.emailsPerSecondAfterLoad, 1)} /s | | ${ratio(p.emailsPerSecondAfterLoad, base)} |`,
    `| **Signed \`order.placed\` envelopes from those contacts, accepted (202)** | **${n(o.acceptedPerSecond)} /s** | ${lat(o.measured)} | **${ratio(o.acceptedPerSecond, base)}** |`,
    '',
    `Against DynamoDB Local's conditional PutItem rate in this run (${n(r.dynamoCeiling.putItemPerSecond)}/s; targets: ` +
      `accepting ≥ 0.5×, draining ≥ 0.1×): webhooks accepted ${ratio(w.acceptedPerSecond, r.dynamoCeiling.putItemPerSecond)}, ` +
      `orders accepted ${ratio(o.acceptedPerSecond, r.dynamoCeiling.putItemPerSecond)}, the webhook backlog drained ` +
      `${ratio(p.emailsPerSecondAfterLoad, r.dynamoCeiling.putItemPerSecond)}.`,
    '',
    `Webhook run: ${n(w.measured.responses)} responses in ${n(w.measured.durationSeconds, 1)} s (${status}; ` +
      `non-2xx ${n(w.measured.non2xx)}, connection errors ${n(w.measured.errors)}, timeouts ${n(w.measured.timeouts)}), ` +
      `${n(w.measured.perSecond.min)}–${n(w.measured.perSecond.max)} per second. ` +
      `Of ${n(w.acceptedTotal)} webhooks answered 202 (warm-up included), ${n(w.acceptedTotal - p.acceptedWithoutEmail)} ` +
      `got their welcome email and ${n(p.acceptedWithoutEmail)} did not; ${n(p.duplicateEmails)} duplicate emails; ` +
      `${n(p.emailsBeyondAccepted)} more emails went to webhooks that were stored but still in flight when autocannon stopped; ` +
      `${n(p.deadLetters)} dead letters. The backlog took ${n(p.drainSeconds, 0)} s to drain after the load` +
      `${p.drained ? '' : ' and was NOT drained before the deadline'}.`,
    '',
    `Order run: ${n(o.measured.responses)} responses in ${n(o.measured.durationSeconds, 1)} s ` +
      `(non-2xx ${n(o.measured.non2xx)}, connection errors ${n(o.measured.errors)}, timeouts ${n(o.measured.timeouts)}); ` +
      `the stack was quiet ${n(o.settleSeconds, 0)} s after the load.`,
    '',
    '| Webhook → welcome email, one at a time | min | p50 | p99 | max |',
    '| --- | ---: | ---: | ---: | ---: |',
    `| 202 received (n=${r.latency.ackMs.n}) | ${ms(r.latency.ackMs.min)} | ${ms(r.latency.ackMs.p50)} | ${ms(r.latency.ackMs.p99)} | ${ms(r.latency.ackMs.max)} |`,
    `| Welcome email seen in the SES emulator's store (n=${r.latency.emailMs.n}) | ${ms(r.latency.emailMs.min)} | ${ms(r.latency.emailMs.p50)} | ${ms(r.latency.emailMs.p99)} | ${ms(r.latency.emailMs.max)} |`,
    '',
    `Each webhook followed a random 0–${r.latency.maxPauseMs} ms pause; the store was polled every ` +
      `${r.latency.pollIntervalMs} ms after the 202 and, with the round trip, a poll started every ` +
      `${n(r.latency.effectivePollMs, 1)} ms: the resolution of the email timings.`,
    '',
    '| CPU while measured (% of one core; the box has ' +
      `${r.machine.cores}) | This process (server side) | Load generator | DynamoDB Local (JVM) |`,
    '| --- | ---: | ---: | ---: |',
    `| Baseline | ${cpu(r.baseline.cpu.benchProcess)} | ${cpu(r.baseline.cpu.loadGenerator)} | |`,
    `| Bare server, unique signed webhooks | ${cpu(r.bareSigned.cpu.benchProcess)} | ${cpu(r.bareSigned.cpu.loadGenerator)} | |`,
    `| Webhooks on the local stack | ${cpu(w.cpu.benchProcess)} | ${cpu(w.cpu.loadGenerator)} | ${cpu(w.cpu.dynamoDbLocal)} |`,
    `| Orders on the local stack | ${cpu(o.cpu.benchProcess)} | ${cpu(o.cpu.loadGenerator)} | ${cpu(o.cpu.dynamoDbLocal)} |`,
    '',
    '| CPU per webhook in this process, one call at a time | µs |',
    '| --- | ---: |',
    `| Verify the Standard Webhooks signature (node:crypto HMAC-SHA256) | ${n(r.cpuCosts.verifySignatureMicros, 1)} |`,
    `| Build the API Gateway v2 event (local gateway) | ${n(r.cpuCosts.apiGatewayEventMicros, 1)} |`,
    `| The whole ingest service on the in-memory store (verify, JSON, zod, store) | ${n(r.cpuCosts.ingestServiceInMemoryMicros, 1)} |`,
    `| Sign one webhook with the reference \`standardwebhooks\` package (generator side) | ${n(r.cpuCosts.referenceSignMicros, 1)} |`,
    '',
    ...eventKindsMarkdown(r.eventKinds),
  ];
  return `${lines.join('\n')}\n`;
}
