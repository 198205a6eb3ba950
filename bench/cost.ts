/**
 * `npm run bench:cost`: a scaled-down reference month through the real local pipeline, every
 * billable unit counted, priced, and scaled up to the full month. Method in BENCHMARKS.md.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { seedDemoShop } from '../infra/local/demo-shop.ts';
import { LOCAL_CREDENTIALS } from '../infra/local/dynamodb-target.ts';
import {
  DEFAULT_ADMIN_TOKEN,
  DEFAULT_DEMO_SOURCE_SECRET,
  FREE_PORTS,
  type LocalStack,
  startLocalStack,
} from '../infra/local/stack.ts';
import { LOCAL_TABLE_NAME } from '../infra/local/table.ts';
import { functions, schedules } from '../infra/manifest.ts';
import DEMO_SEGMENTS from '../workflows/examples/segments.json' with { type: 'json' };
import { BUILT_IN_JOURNEY_IDS } from '../workflows/journeys/index.ts';
import { type FunctionUse, type IdleRuns, type MeasuredMonth, monthlyBill } from './cost-bill.ts';
import { meterCapacity, meterLogs } from './cost-meter.ts';
import { monthOfEvents, postEnvelopes } from './cost-month.ts';
import { type CostResults, costMarkdown } from './cost-report.ts';
import { executionUse, runningExecutions } from './cost-sfn.ts';
import { settle } from './event-kinds.ts';
import { watchInvocations } from './invocations.ts';
import { commit, machine } from './machine.ts';
import { positiveOption } from './options.ts';
import { countSdkCalls, type Instrumentable } from './sdk-calls.ts';
import { round } from './stats.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
/** The reference month the project states its cost goal for. */
const REFERENCE_EVENTS = 100_000;

const HELP = `Usage: npm run bench:cost [-- options]

  --contacts N         contacts of the scaled month (default 1000)
  --events N           events of the scaled month, in the demo shop's mix (default 10000)
  --time-scale N       journey seconds per real second (default 864000: a day in 0.1 s);
                       the abandoned cart's hour always lasts 3 s, schedules run every real minute
  --concurrency N      webhooks posted at once (default 4)
  --settle-timeout S   longest wait for processing after the last post (default 900)
  --idle-runs N        runs of each every-minute schedule measured on the quiet stack before the
                       events (default 2, one a minute): what each of its 43,200 runs a month costs`;

const { values: args } = parseArgs({
  options: {
    contacts: { type: 'string', default: '1000' },
    events: { type: 'string', default: '10000' },
    'time-scale': { type: 'string', default: '864000' },
    concurrency: { type: 'string', default: '4' },
    'settle-timeout': { type: 'string', default: '900' },
    'idle-runs': { type: 'string', default: '2' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  console.log(HELP);
  process.exit(0);
}
const whole = (name: Exclude<keyof typeof args, 'help'>) => positiveOption(args, name, true);
const options = {
  contacts: whole('contacts'),
  events: whole('events'),
  timeScale: whole('time-scale'),
  concurrency: whole('concurrency'),
  settleTimeoutSeconds: whole('settle-timeout'),
  idleRuns: whole('idle-runs'),
};

// Handlers' output is metered and kept off the terminal; progress goes straight to the terminal.
const terminal = process.stdout.write.bind(process.stdout);
const say = (line: string) => terminal(`${line}\n`);

/**
 * Quiet hours are checked against the real clock while journey waits are scaled: at night a
 * deferred send would wake at once, find it still night and defer again, a loop AWS never sees
 * (there the wait lasts until morning and the email goes once). So the run happens at midday:
 * the default time zone (the demo contacts have none) is the one where it is noon now.
 */
function middayZone(now: Date): string {
  const offset = ((12 - now.getUTCHours() + 36) % 24) - 12;
  return offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

// As deployed: Powertools' default INFO level (infra/aws sets none) and metrics on, so the log
// bytes are the ones CloudWatch would ingest. The logger and metrics read these when first
// loaded, which must happen before the local stack sets its quieter defaults.
Object.assign(process.env, {
  POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'INFO',
  POWERTOOLS_METRICS_DISABLED: 'false',
  POWERTOOLS_TRACE_ENABLED: 'false',
  POWERTOOLS_SERVICE_NAME: 'tend',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  TEND_DEFAULT_TIME_ZONE: middayZone(new Date()),
});
await import('#platform/observability.ts');

async function main() {
  const started = performance.now();
  const host = machine();
  say(`Tend cost benchmark: ${options.events} events over ${options.contacts} contacts`);
  say(`${host.cpuModel}, ${host.cores} cores, Node ${host.node}, load average ${host.loadAverageAtStart.join(' ')}`);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tend-cost-'));
  let stack: LocalStack | undefined;
  let apiRequests = 0;
  let counting = false;
  try {
    stack = await startLocalStack({
      dataDir,
      inMemory: true,
      ...FREE_PORTS,
      // Real time for the stack, so the schedules run once a minute as on AWS (a high global
      // scale would run them every 250 ms); each journey's waits are scaled on their own.
      timeScale: 1,
      journeyTimeScales: {
        ...Object.fromEntries(BUILT_IN_JOURNEY_IDS.map((id) => [id, options.timeScale])),
        // An abandoned cart waits an hour for its order: three seconds here, so orders that
        // follow their checkout in the history still arrive in time, as in a real month.
        'abandoned-cart': 1_200,
      },
      adminToken: DEFAULT_ADMIN_TOKEN,
      demoSourceSecret: DEFAULT_DEMO_SOURCE_SECRET,
      log: (message) => {
        if (/^[A-Z]+ \/\S* \d{3}$/.test(message)) {
          if (counting) apiRequests += 1;
        } else if (/fail|error/i.test(message)) say(`  stack: ${message}`);
      },
    });
    const live = stack;
    // From here every handler's output is metered (and kept off the terminal).
    // A send deferred again to the time it was already deferred to is the scaled-wait artefact
    // described in cost-sfn.ts: AWS runs it once, so the repeats are kept apart.
    const scheduled = new Set<string>(schedules.map((s) => s.function));
    const deferrals = new Set<string>();
    // Whether each journey-scheduler run found nothing to do (its report all zeros), in order.
    const schedulerRuns: boolean[] = [];
    const watch = watchInvocations({
      discard: (name, result) => {
        if (name === 'journey-scheduler') {
          schedulerRuns.push(Object.values((result ?? {}) as Record<string, unknown>).every((v) => v === 0));
        }
        const outcome = result as { status?: string; until?: string; reason?: string } | undefined;
        if (name !== 'send-email' || outcome?.status !== 'deferred') return false;
        const key = `${outcome.until}|${outcome.reason}`;
        if (deferrals.has(key)) return true;
        deferrals.add(key);
        return false;
      },
    });
    const logs = meterLogs(watch.current, watch.note);
    const api = live.urls.api.replace('//localhost:', '//127.0.0.1:');
    await seedDemoShop({
      api,
      secret: DEFAULT_DEMO_SOURCE_SECRET,
      contacts: 0,
      log: (message) => say(`  ! ${message}`),
      segments: { adminToken: DEFAULT_ADMIN_TOKEN, documents: DEMO_SEGMENTS },
    });

    const clients = await import('#platform/clients.ts');
    const calls = countSdkCalls(
      {
        dynamodb: clients.dynamo as unknown as Instrumentable,
        sfn: clients.sfn as unknown as Instrumentable,
        ses: clients.ses as unknown as Instrumentable,
        kms: clients.kms as unknown as Instrumentable,
        secretsmanager: clients.secrets as unknown as Instrumentable,
      },
      watch.current,
    );
    const capacity = meterCapacity(clients.dynamo as unknown as Instrumentable, watch.current, watch.note);
    await settle(live, watch);

    // The schedules with nothing to do, before the events: what each of their 43,200 runs a
    // month costs whatever the traffic (their queries read small, fixed partitions). Counted from
    // the first journey-scheduler run that did nothing (the first ones finish the start's own
    // work: the example segments' scans, the built-ins' backfills).
    say(`▶ measuring ${options.idleRuns} idle runs of each schedule (one a minute)`);
    const runsOf = (name: string) =>
      watch.snapshot()[name as keyof ReturnType<typeof watch.snapshot>]?.invocations ?? 0;
    const idleDeadline = performance.now() + (options.idleRuns + 4) * 70_000;
    const waitFor = async (done: () => boolean) => {
      while (!done() && performance.now() < idleDeadline) await new Promise((r) => setTimeout(r, 2_000));
    };
    const seen = schedulerRuns.length;
    await waitFor(() => schedulerRuns.length > seen && schedulerRuns.at(-1) === true);
    await settle(live, watch);
    const before = { invoked: watch.snapshot(), used: capacity.snapshot(), logged: logs.snapshot() };
    const idleFrom = Object.fromEntries([...scheduled].map((name) => [name, runsOf(name)]));
    const fromRun = schedulerRuns.length;
    await waitFor(() => [...scheduled].every((name) => runsOf(name) - (idleFrom[name] ?? 0) >= options.idleRuns));
    await settle(live, watch);
    const busy = schedulerRuns.slice(fromRun).filter((idleRun) => !idleRun).length;
    if (busy > 0) say(`  ! ${busy} of the measured journey-scheduler runs found work to do`);
    const after = { invoked: watch.snapshot(), used: capacity.snapshot(), logged: logs.snapshot() };
    const idle: Record<string, IdleRuns> = {};
    for (const name of scheduled) {
      const key = name as keyof typeof after.invoked;
      idle[name] = {
        runs: (after.invoked[key]?.invocations ?? 0) - (before.invoked[key]?.invocations ?? 0),
        billedMs: (after.invoked[key]?.billedMs ?? 0) - (before.invoked[key]?.billedMs ?? 0),
        readUnits: (after.used[name]?.readUnits ?? 0) - (before.used[name]?.readUnits ?? 0),
        writeUnits: (after.used[name]?.writeUnits ?? 0) - (before.used[name]?.writeUnits ?? 0),
        logBytes: (after.logged[name]?.bytes ?? 0) - (before.logged[name]?.bytes ?? 0),
        logLines: (after.logged[name]?.lines ?? 0) - (before.logged[name]?.lines ?? 0),
      };
      say(`  ${name}: ${idle[name].runs} idle runs`);
    }

    logs.reset();
    watch.reset();
    calls.reset();
    capacity.reset();
    counting = true;

    const envelopes = monthOfEvents(options.contacts, options.events);
    say(`\n▶ posting ${envelopes.length} events`);
    const postStarted = performance.now();
    const posting = await postEnvelopes({
      api,
      secret: DEFAULT_DEMO_SOURCE_SECRET,
      envelopes,
      concurrency: options.concurrency,
      progress: (done) =>
        say(`  ${done}/${envelopes.length} posted, ${Math.round((performance.now() - postStarted) / 1000)} s`),
    });
    const postSeconds = round((performance.now() - postStarted) / 1000);
    say(`▶ posted in ${postSeconds} s; waiting for processing and for every journey execution to finish`);
    // Done when two polls 10 s apart saw no new invocation (scheduled sweeps and repeated
    // deferrals aside: longer than any scaled wait); progress every 10 s meanwhile.
    const deadline = performance.now() + options.settleTimeoutSeconds * 1000;
    let running = Number.POSITIVE_INFINITY;
    const activity = () =>
      Object.entries(watch.snapshot())
        .filter(([name]) => !scheduled.has(name))
        .reduce((sum, [, t]) => sum + (t?.invocations ?? 0), 0);
    let last = -1;
    let still = 0;
    while (performance.now() < deadline && still < 2) {
      await new Promise((r) => setTimeout(r, 10_000));
      running = await runningExecutions(live.urls.stepfunctions);
      const invoked = watch.snapshot();
      say(
        `  +${Math.round((performance.now() - postStarted) / 1000 - postSeconds)} s: ${running} executions running, ` +
          `${invoked['send-email']?.invocations ?? 0} send-email runs, ${invoked['process-inbox']?.invocations ?? 0} inbox batches, ` +
          `${invoked['journey-step']?.invocations ?? 0} journey steps`,
      );
      const now = activity();
      still = now === last ? still + 1 : 0;
      last = now;
    }
    counting = false;
    const processSeconds = round((performance.now() - postStarted) / 1000 - postSeconds);
    const invoked = watch.snapshot();
    const discarded = watch.discarded();
    const used = capacity.snapshot();
    const logged = logs.snapshot();
    const sdk = calls.snapshot();
    const metricNames = logs.metricNames();

    logs.stop();
    watch.stop();

    say('▶ reading back executions and the table size');
    const sfnUse = await executionUse(live.urls.stepfunctions);
    const dynamo = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: live.urls.dynamodb,
      credentials: LOCAL_CREDENTIALS,
    });
    const table = await dynamo.send(new DescribeTableCommand({ TableName: LOCAL_TABLE_NAME }));
    dynamo.destroy();

    const names = new Set([...Object.keys(invoked), ...Object.keys(used), ...Object.keys(discarded)]);
    const perFunction: Record<string, FunctionUse> = {};
    for (const name of names) {
      const spec = functions[name as keyof typeof functions];
      if (!spec) continue;
      const apart = discarded[name as keyof typeof discarded]?.notes ?? {};
      const ran = invoked[name as keyof typeof invoked];
      perFunction[name] = {
        invocations: ran?.invocations ?? 0,
        billedMs: ran?.billedMs ?? 0,
        memoryMb: spec.memoryMb,
        readUnits: (used[name]?.readUnits ?? 0) - (apart.readUnits ?? 0),
        writeUnits: (used[name]?.writeUnits ?? 0) - (apart.writeUnits ?? 0),
        refusedWrites: used[name]?.refusedWrites ?? 0,
        logBytes: (logged[name]?.bytes ?? 0) - (apart.logBytes ?? 0),
        logLines: (logged[name]?.lines ?? 0) - (apart.logLines ?? 0),
        scheduled: scheduled.has(name),
        ...(idle[name] ? { idle: idle[name] } : {}),
      };
    }
    const total = (prefix: string) =>
      Object.entries(sdk)
        .filter(([label]) => label.startsWith(prefix))
        .reduce((sum, [, count]) => sum + count, 0);
    const contacts = new Set(envelopes.map((e) => e.body.data.email)).size;
    const measured: MeasuredMonth = {
      scale: REFERENCE_EVENTS / envelopes.length,
      contacts,
      events: posting.posted,
      emails: total('ses SendEmail'),
      enrollments: sfnUse.executions,
      functions: perFunction,
      transitions: sfnUse.transitions,
      executionLogBytes: sfnUse.historyBytes,
      eventBridgeEvents: invoked['record-email-event']?.invocations ?? 0,
      apiRequests,
      kmsCalls: total('kms '),
      secretsCalls: total('secretsmanager '),
      customMetrics: metricNames,
      tableBytes: table.Table?.TableSizeBytes ?? 0,
      sources: 1,
    };
    const results: CostResults = {
      date: new Date().toISOString(),
      commit: commit(),
      command: `npm run bench:cost${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
      machine: host,
      options: {
        contacts: options.contacts,
        events: options.events,
        timeScale: options.timeScale,
        concurrency: options.concurrency,
      },
      postSeconds,
      processSeconds,
      totalSeconds: round((performance.now() - started) / 1000),
      refused: posting.refused,
      stillRunning: running,
      repeatedDeferrals: {
        invocations: discarded['send-email']?.invocations ?? 0,
        inHistories: sfnUse.repeatedDeferrals,
      },
      unreportedCapacity: Object.values(used).reduce((sum, u) => sum + u.unreported, 0),
      measured,
      bill: monthlyBill(measured),
    };
    const report = costMarkdown(results);
    mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(
      path.join(ROOT, 'bench/results/cost-latest.json'),
      `${JSON.stringify({ ...results, sdk }, null, 2)}\n`,
    );
    writeFileSync(path.join(ROOT, 'bench/results/cost-latest.md'), report);
    say(`\n${report}`);
    if (results.unreportedCapacity > 0) say(`! ${results.unreportedCapacity} calls came back without ConsumedCapacity`);
    say(`Wrote bench/results/cost-latest.json and cost-latest.md after ${results.totalSeconds} s.`);
  } finally {
    say('▶ stopping the local stack');
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
