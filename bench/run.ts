import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { seedDemoShop } from '../infra/local/demo-shop.ts';
import {
  DEFAULT_ADMIN_TOKEN,
  DEFAULT_DEMO_SOURCE_SECRET,
  type LocalStack,
  startLocalStack,
} from '../infra/local/stack.ts';
import { LOCAL_TABLE_NAME } from '../infra/local/table.ts';
import DEMO_SEGMENTS from '../workflows/examples/segments.json' with { type: 'json' };
import { startBaselineServer } from './baseline-server.ts';
import { measureCpuCosts, measureDynamoCeiling } from './components.ts';
import { whyNoEmail } from './diagnose.ts';
import { callsPerEvent, type EventKind, type EventKindCalls, postOrdersOneAtATime, settle } from './event-kinds.ts';
import { watchInvocations } from './invocations.ts';
import { measureEmailLatency } from './latency.ts';
import { forReport, loadPhase } from './load-phase.ts';
import type { LoadJob } from './load-protocol.ts';
import { commit, machine } from './machine.ts';
import { positiveOption } from './options.ts';
import { waitForProcessing } from './pipeline.ts';
import { type BenchResults, markdown } from './report.ts';
import { countSdkCalls, type Instrumentable } from './sdk-calls.ts';
import { round } from './stats.ts';
import { benchEmail } from './webhooks.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const RESULTS_DIR = path.join(ROOT, 'bench/results');

const HELP = `Usage: npm run bench [-- options]

  --connections N      autocannon connections (default 10)
  --duration S         measured seconds per load run (default 10)
  --warmup S           autocannon warm-up seconds before each load run (default 3)
  --jvm-warmup S       seconds of DynamoDB calls to warm DynamoDB Local's JVM (default 10)
  --latency-samples N  sequential webhooks timed to their email (default 200: with fewer, the p99 is an outlier)
  --order-samples N    sequential orders whose calls are counted (default 20, at most the latency samples)
  --poll-ms MS         SES store polling interval in the latency test (default 10)
  --drain-timeout S    longest the backlog after a load may go without progress (default 240)`;

const { values: args } = parseArgs({
  options: {
    connections: { type: 'string', default: '10' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    'jvm-warmup': { type: 'string', default: '10' },
    'latency-samples': { type: 'string', default: '200' },
    'order-samples': { type: 'string', default: '20' },
    'poll-ms': { type: 'string', default: '10' },
    'drain-timeout': { type: 'string', default: '240' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  console.log(HELP);
  process.exit(0);
}
const positive = (name: Exclude<keyof typeof args, 'help'>) => positiveOption(args, name);
const options = {
  connections: Math.round(positive('connections')),
  durationSeconds: positive('duration'),
  warmupSeconds: positive('warmup'),
  jvmWarmupSeconds: Math.round(positive('jvm-warmup')),
  latencySamples: Math.round(positive('latency-samples')),
  orderSamples: Math.round(positive('order-samples')),
  pollMs: positive('poll-ms'),
  drainTimeoutSeconds: positive('drain-timeout'),
};

const say = (line: string) => process.stdout.write(`${line}\n`);

async function main() {
  const started = performance.now();
  const runId = randomUUID().slice(0, 8);
  const secret = DEFAULT_DEMO_SOURCE_SECRET;
  const host = machine();
  say(`Tend webhook benchmark, run ${runId}`);
  say(`${host.cpuModel}, ${host.cores} cores, Node ${host.node}, load average ${host.loadAverageAtStart.join(' ')}`);
  const job = (url: string, mode: LoadJob['mode'], phase: string): LoadJob => ({
    url,
    connections: options.connections,
    warmupSeconds: options.warmupSeconds,
    durationSeconds: options.durationSeconds,
    mode,
    secret,
    runId,
    phase,
  });

  // 1. The baseline: a bare server in this same process, in this same run.
  const bare = await startBaselineServer();
  const target = `${bare.url}/webhooks/demo-form`;
  let baseline: Awaited<ReturnType<typeof loadPhase>>;
  let bareSigned: Awaited<ReturnType<typeof loadPhase>>;
  try {
    baseline = await loadPhase(
      'baseline: bare http server, one signed request resent',
      job(target, 'static', 'st'),
      say,
    );
    bareSigned = await loadPhase('bare http server, unique signed webhooks', job(target, 'signed', 'base'), say);
  } finally {
    await bare.close();
  }

  // 2. The local stack: in-memory DynamoDB, a temp data dir, free ports, journey time unscaled
  // (the onboarding journey sends its welcome email, then waits two days).
  say('\n▶ starting the local stack');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tend-bench-'));
  const stackLog: string[] = [];
  let stack: LocalStack | undefined;
  const stopStack = async () => {
    const running = stack;
    stack = undefined;
    await running?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    say('\ninterrupted: stopping the local stack');
    void stopStack().finally(() => process.exit(130));
  });
  try {
    const stackStarted = performance.now();
    stack = await startLocalStack({
      dataDir,
      inMemory: true,
      apiPort: 0,
      sesPort: 0,
      dynamoPort: 0,
      sfnPort: 0,
      timeScale: 1,
      adminToken: DEFAULT_ADMIN_TOKEN,
      demoSourceSecret: secret,
      log: (message, fields) => {
        // The gateway logs every request; keep what is not routine.
        if (/^[A-Z]+ \/\S* \d{3}$/.test(message)) return;
        stackLog.push(`${message}${fields ? ` ${JSON.stringify(fields)}` : ''}`);
      },
    });
    const stackStartSeconds = round((performance.now() - stackStarted) / 1000, 1);
    const javaPid = Number(readFileSync(path.join(dataDir, 'dynamodb-local.pid'), 'utf8')) || undefined;
    // Loopback by address: "localhost" may resolve to ::1 first, where nothing listens.
    const apiUrl = stack.urls.api.replace('//localhost:', '//127.0.0.1:');
    const mailUrl = stack.urls.mail.replace('//localhost:', '//127.0.0.1:');
    say(`  up in ${stackStartSeconds} s: api ${apiUrl}, mail ${mailUrl}, DynamoDB Local pid ${javaPid}`);

    // The example segments live too, as npm start and the tests have them: every event is
    // checked against their rules. Saved through the API, as the demo shop saves them.
    const segmentErrors: string[] = [];
    await seedDemoShop({
      api: apiUrl,
      secret,
      contacts: 0,
      log: (message) => segmentErrors.push(message),
      segments: { adminToken: DEFAULT_ADMIN_TOKEN, documents: DEMO_SEGMENTS },
    });
    if (segmentErrors.length > 0) throw new Error(segmentErrors.join('; '));
    say(`  segments live: ${DEMO_SEGMENTS.map((d) => d.id).join(', ')}`);

    // The app's own module-scope clients, the ones every handler uses (loaded by now), each
    // call tagged with the function whose invocation made it.
    const clients = {
      dynamo: (await import('#platform/clients/dynamodb.ts')).dynamo,
      sfn: (await import('#platform/clients/sfn.ts')).sfn,
      ses: (await import('#platform/clients/ses.ts')).ses,
    };
    const watch = watchInvocations();
    const calls = countSdkCalls(
      {
        dynamodb: clients.dynamo as unknown as Instrumentable,
        sfn: clients.sfn as unknown as Instrumentable,
        ses: clients.ses as unknown as Instrumentable,
      },
      watch.current,
    );
    const live = stack;
    const quiet = (timeoutSeconds = 60) => settle(live, watch, timeoutSeconds * 1000);
    const resetCounts = () => {
      calls.reset();
      watch.reset();
    };
    const eventKinds: EventKindCalls[] = [];
    const countWindow = (kind: EventKind, mode: EventKindCalls['mode']) => {
      const ingest = watch.snapshot()['ingest-webhook'];
      const stored = (ingest?.invocations ?? 0) - (ingest?.failed ?? 0);
      const result = callsPerEvent(kind, mode, stored, calls.byFunction());
      eventKinds.push(result);
      say(
        `  ${kind} ${mode}: ${result.dynamoPerEvent} DynamoDB calls per event over ${stored} (budget ${result.budget})`,
      );
    };

    say('\n▶ component costs: in-process CPU per call');
    const cpuCosts = await measureCpuCosts(secret, runId);
    say(
      `  verify ${cpuCosts.verifySignatureMicros} µs, API Gateway event ${cpuCosts.apiGatewayEventMicros} µs, ` +
        `ingest on the memory store ${cpuCosts.ingestServiceInMemoryMicros} µs, ` +
        `reference signer ${cpuCosts.referenceSignMicros} µs`,
    );
    say(`\n▶ DynamoDB Local: ${options.jvmWarmupSeconds} s JVM warm-up, then its ceiling for ingest's calls`);
    const dynamoCeiling = await measureDynamoCeiling(
      clients.dynamo,
      LOCAL_TABLE_NAME,
      { runId, concurrency: options.connections, seconds: 4, warmupSeconds: options.jvmWarmupSeconds },
      (second, ops) => say(`  warm-up ${String(second).padStart(2)}/${options.jvmWarmupSeconds} s  ${ops} ops/s`),
    );
    say(
      `  ${dynamoCeiling.concurrency} callers: PutItem ${dynamoCeiling.putItemPerSecond}/s, ` +
        `GetItem + PutItem ${dynamoCeiling.getThenPutPerSecond}/s`,
    );
    await quiet(30);

    // 3. Webhook → welcome email latency, one at a time on the idle stack; each settles fully
    // before the next, so its calls are that form webhook's alone. Before the loads: their
    // thousands of enrollments keep the scheduler's sweeps busy for a while after (the repair
    // checks ten minutes after each enrollment), which is not one webhook's latency.
    const warmupSamples = 3;
    say(`\n▶ webhook → email latency: ${warmupSamples} unrecorded + ${options.latencySamples} webhooks, one at a time`);
    const latency = await measureEmailLatency({
      apiUrl,
      adminToken: DEFAULT_ADMIN_TOKEN,
      mailUrl,
      secret,
      runId,
      samples: options.latencySamples,
      warmupSamples,
      pollMs: options.pollMs,
      // Twice the stream driver's 100 ms idle poll, so arrivals spread over its whole cycle.
      maxPauseMs: 200,
      say,
      settle: () => quiet(),
      onWarmedUp: resetCounts,
    });
    countWindow('form', 'one at a time');

    // 4. Orders one at a time, placed by the contacts the latency webhooks created.
    const orderSamples = Math.min(options.orderSamples, options.latencySamples);
    say(`\n▶ orders one at a time: ${warmupSamples} unrecorded + ${orderSamples}`);
    await postOrdersOneAtATime({
      apiUrl,
      secret,
      runId,
      customers: Array.from({ length: warmupSamples + orderSamples }, (_, i) => benchEmail(runId, 'lat', i + 1)),
      samples: orderSamples,
      warmupSamples,
      settle: () => quiet(),
      onWarmedUp: resetCounts,
    });
    countWindow('order', 'one at a time');

    // 5. The webhook endpoint under the same load as the baseline.
    resetCounts();
    const loadStartedAt = performance.now();
    const load = await loadPhase(
      'POST /webhooks/demo-form on the local stack, unique signed webhooks',
      job(`${apiUrl}/webhooks/demo-form`, 'signed', 'load'),
      say,
      javaPid,
    );
    const loadEndedAt = performance.now();
    say('\n▶ waiting until every accepted webhook has been processed into a welcome email');
    const processing = await waitForProcessing({
      stack,
      mailUrl,
      // Warm-up ("loadw") and measured ("load") addresses share this prefix.
      prefix: `bench-${runId}-load`,
      acceptedEmails: load.acceptedEmails,
      loadStartedAt,
      loadEndedAt,
      timeoutSeconds: options.drainTimeoutSeconds,
      say,
    });
    await quiet(options.drainTimeoutSeconds);
    const sdkCalls = calls.snapshot();
    countWindow('form', 'under load');
    const deadLetters = await clients.dynamo.send(
      new QueryCommand({
        TableName: LOCAL_TABLE_NAME,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'DEADLETTER' },
        Select: 'COUNT',
      }),
    );
    if (processing.acceptedWithoutEmail > 0) {
      say(`  ! ${processing.acceptedWithoutEmail} accepted webhooks have no welcome email, for example:`);
      for (const email of processing.missingExamples.slice(0, 2)) {
        say(`    ${await whyNoEmail(apiUrl, DEFAULT_ADMIN_TOKEN, email)}`);
      }
    }

    // 6. Orders from those new contacts, under the same load: loyalty, goals, segments.
    resetCounts();
    const orders = await loadPhase(
      'POST /webhooks/demo-form on the local stack, signed order.placed envelopes from existing contacts',
      { ...job(`${apiUrl}/webhooks/demo-form`, 'order', 'ord'), customers: load.acceptedEmails },
      say,
      javaPid,
    );
    const ordersEndedAt = performance.now();
    say('\n▶ waiting until every stored order has been processed');
    await settle(live, watch, options.drainTimeoutSeconds * 1000, 300, (n) =>
      say(`  +${Math.round((performance.now() - ordersEndedAt) / 1000)} s: ${n} handler invocations so far`),
    );
    const ordersSettleSeconds = round((performance.now() - ordersEndedAt) / 1000, 1);
    say(`  quiet ${ordersSettleSeconds} s after the load`);
    countWindow('order', 'under load');

    watch.stop();

    const results: BenchResults = {
      runId,
      date: new Date().toISOString(),
      commit: commit(),
      command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
      machine: host,
      options,
      baseline: forReport(baseline),
      bareSigned: forReport(bareSigned),
      stackStartSeconds,
      cpuCosts,
      dynamoCeiling,
      webhooks: {
        ...forReport(load),
        signing:
          'every request signed in autocannon setupRequest with the standardwebhooks package: new webhook-id, new email',
        generated: load.generated,
        acceptedTotal: load.acceptedEmails.length,
        processing: { ...processing, deadLetters: deadLetters.Count ?? 0 },
        sdkCalls,
      },
      orders: { ...forReport(orders), settleSeconds: ordersSettleSeconds },
      eventKinds,
      latency,
      stackLog: stackLog.slice(0, 50),
      totalSeconds: 0,
    };
    results.totalSeconds = round((performance.now() - started) / 1000);
    const report = markdown(results);
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(path.join(RESULTS_DIR, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(path.join(RESULTS_DIR, 'latest.md'), report);
    say(`\n${report}`);
    if (stackLog.length > 0) say(`Stack log (${stackLog.length} lines): ${stackLog.slice(0, 5).join(' | ')}`);
    say(`Wrote bench/results/latest.json and bench/results/latest.md after ${results.totalSeconds} s.`);
    if (processing.acceptedWithoutEmail > 0 || processing.duplicateEmails > 0) process.exitCode = 1;
  } finally {
    say('▶ stopping the local stack');
    await stopStack();
  }
  // Every function's bundle size and cold init against its budget (bench/functions.ts).
  if (!(await (await import('./functions.ts')).reportFunctions(say))) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
