/**
 * Turns what one scaled-down month measured into the full month's bill, component by component,
 * and its ratio to the SES part.
 */
import { functions, streams } from '../infra/manifest.ts';
import {
  ACCESS_LOG_BYTES,
  LAMBDA_PLATFORM_LOG_BYTES,
  LOG_EVENT_OVERHEAD_BYTES,
  PRICES,
  SCHEDULED_RUNS_PER_MONTH,
} from './cost-prices.ts';

/** One function's measured use in the run. */
export interface FunctionUse {
  invocations: number;
  billedMs: number;
  memoryMb: number;
  readUnits: number;
  writeUnits: number;
  /** Estimated write units of writes refused by their condition (included in writeUnits). */
  refusedWrites: number;
  logBytes: number;
  logLines: number;
  /** Runs on a schedule: billed per minute of the month, not per event. */
  scheduled: boolean;
  /**
   * A scheduled function's runs measured on the quiet stack before the events, when it found
   * nothing to do: what each of its 43,200 runs a month costs whatever the traffic. What its runs
   * during the events cost beyond that is their work (due items, repairs), scaled with the traffic.
   */
  idle?: IdleRuns;
}

/** Scheduled runs measured on a quiet stack (totals over `runs`). */
export interface IdleRuns {
  runs: number;
  billedMs: number;
  readUnits: number;
  writeUnits: number;
  logBytes: number;
  logLines: number;
}

/**
 * A function's monthly quantity: per event scaled with the traffic; for a scheduled one, its
 * idle run × 43,200 plus its work beyond idle during the run scaled with the traffic (or, with no
 * idle runs measured, its mean run × 43,200).
 */
function monthlyOf(f: FunctionUse, scale: number, of: (u: Omit<IdleRuns, 'runs'>) => number): number {
  if (!f.scheduled) return of(f) * scale;
  if (!f.idle || f.idle.runs === 0) return f.invocations > 0 ? (of(f) / f.invocations) * SCHEDULED_RUNS_PER_MONTH : 0;
  const idlePerRun = of(f.idle) / f.idle.runs;
  const work = Math.max(0, of(f) - f.invocations * idlePerRun);
  return idlePerRun * SCHEDULED_RUNS_PER_MONTH + work * scale;
}

/** Everything the run measured, at the run's own scale. */
export interface MeasuredMonth {
  /** What the run's traffic is multiplied by to make the full month. */
  scale: number;
  contacts: number;
  events: number;
  emails: number;
  enrollments: number;
  functions: Record<string, FunctionUse>;
  transitions: number;
  /** Bytes of the executions' history events, as Step Functions logs them at level ALL with data. */
  executionLogBytes: number;
  eventBridgeEvents: number;
  apiRequests: number;
  kmsCalls: number;
  secretsCalls: number;
  customMetrics: string[];
  tableBytes: number;
  sources: number;
}

export interface BillLine {
  component: string;
  quantity: string;
  usd: number;
  /** Paid whatever the traffic (keys, secrets, alarms, dashboards, metrics). */
  fixed?: boolean;
}

const GB = 1024 ** 3;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** KMS: one Decrypt per source per 5-minute cache window, one warm ingest container assumed. */
const KMS_DECRYPTS_PER_SOURCE = (30 * 24 * 60) / 5;
/** Secrets Manager: one GetSecretValue per cold start; one cold start per 10 minutes assumed. */
const COLD_STARTS_PER_FUNCTION = (30 * 24 * 60) / 10;
/** infra/aws/operations.construct.ts: a dead-letter alarm per stream, errors and throttles per function, six more. */
const ALARMS = streams.length + 2 * Object.keys(functions).length + 6;

/** The full month's bill: usage lines, then the fixed monthly lines. */
export function monthlyBill(m: MeasuredMonth): BillLine[] {
  let readUnits = 0;
  let writeUnits = 0;
  let invocations = 0;
  let gbSeconds = 0;
  let logBytes = 0;
  let secretReaders = 0;
  for (const [name, f] of Object.entries(m.functions)) {
    const monthly = f.scheduled ? SCHEDULED_RUNS_PER_MONTH : f.invocations * m.scale;
    readUnits += monthlyOf(f, m.scale, (u) => u.readUnits);
    writeUnits += monthlyOf(f, m.scale, (u) => u.writeUnits);
    invocations += monthly;
    gbSeconds += monthlyOf(f, m.scale, (u) => (u.billedMs / 1000) * (f.memoryMb / 1024));
    logBytes += monthlyOf(f, m.scale, (u) => u.logBytes + u.logLines * LOG_EVENT_OVERHEAD_BYTES);
    logBytes += monthly * LAMBDA_PLATFORM_LOG_BYTES;
    const grants: readonly string[] = functions[name as keyof typeof functions]?.grants ?? [];
    if (f.invocations > 0 && grants.some((g) => g.startsWith('secret:'))) secretReaders += 1;
  }
  const accessLogBytes = m.apiRequests * m.scale * ACCESS_LOG_BYTES;
  const executionLogBytes = m.executionLogBytes * m.scale;
  const kms = m.sources * KMS_DECRYPTS_PER_SOURCE + m.kmsCalls * m.scale;
  const secretCalls = secretReaders * COLD_STARTS_PER_FUNCTION + m.secretsCalls * m.scale;
  const tableGb = (m.tableBytes * m.scale) / GB;
  const p = PRICES;
  return [
    {
      component: 'DynamoDB write request units',
      quantity: fmt(writeUnits),
      usd: writeUnits * p.dynamoDbPerWriteRequestUnit,
    },
    {
      component: 'DynamoDB read request units',
      quantity: fmt(readUnits),
      usd: readUnits * p.dynamoDbPerReadRequestUnit,
    },
    {
      component: 'DynamoDB storage and PITR (table size at the end of the run)',
      quantity: `${tableGb.toFixed(3)} GB`,
      usd: tableGb * (p.dynamoDbPerGbMonth + p.dynamoDbPitrPerGbMonth),
    },
    { component: 'Lambda requests', quantity: fmt(invocations), usd: invocations * p.lambdaPerRequest },
    { component: 'Lambda duration (Arm)', quantity: `${fmt(gbSeconds)} GB-s`, usd: gbSeconds * p.lambdaPerGbSecond },
    {
      component: 'Step Functions Standard state transitions',
      quantity: fmt(m.transitions * m.scale),
      usd: m.transitions * m.scale * p.stepFunctionsPerTransition,
    },
    { component: 'SES outbound email', quantity: fmt(m.emails * m.scale), usd: m.emails * m.scale * p.sesPerEmail },
    {
      component: 'EventBridge events (SES events published)',
      quantity: fmt(m.eventBridgeEvents * m.scale),
      usd: m.eventBridgeEvents * m.scale * p.eventBridgePerEvent,
    },
    {
      component: 'API Gateway HTTP API requests',
      quantity: fmt(m.apiRequests * m.scale),
      usd: m.apiRequests * m.scale * p.httpApiPerRequest,
    },
    {
      component: 'CloudWatch Logs: functions (INFO), Lambda platform lines, HTTP API access logs',
      quantity: `${((logBytes + accessLogBytes) / 1024 ** 2).toFixed(1)} MB`,
      usd: ((logBytes + accessLogBytes) / GB) * p.logsPerGb,
    },
    {
      component: 'CloudWatch Logs: Step Functions executions (level ALL, with data)',
      quantity: `${(executionLogBytes / 1024 ** 2).toFixed(1)} MB`,
      usd: (executionLogBytes / GB) * p.logsPerGb,
    },
    {
      component: 'X-Ray traces (at most one per Lambda invocation)',
      quantity: fmt(invocations),
      usd: invocations * p.xrayPerTrace,
    },
    { component: 'KMS requests (estimated, see method)', quantity: fmt(kms), usd: kms * p.kmsPerRequest },
    {
      component: 'Secrets Manager calls (estimated, see method)',
      quantity: fmt(secretCalls),
      usd: secretCalls * p.secretsPerCall,
    },
    { component: 'KMS keys (sealing, alarm topic)', quantity: '2', usd: 2 * p.kmsPerKeyMonth, fixed: true },
    {
      component: 'Secrets (admin token, link signing key)',
      quantity: '2',
      usd: 2 * p.secretsPerSecretMonth,
      fixed: true,
    },
    { component: 'CloudWatch alarms', quantity: String(ALARMS), usd: ALARMS * p.alarmPerMonth, fixed: true },
    { component: 'CloudWatch dashboard', quantity: '1', usd: p.dashboardPerMonth, fixed: true },
    {
      component: `CloudWatch custom metrics (EMF: ${m.customMetrics.join(', ') || 'none seen'})`,
      quantity: String(m.customMetrics.length),
      usd: m.customMetrics.length * p.customMetricPerMonth,
      fixed: true,
    },
  ];
}

/** SES's part and the rest, with and without the fixed monthly lines. */
export function billSummary(lines: readonly BillLine[]) {
  const ses = lines.find((l) => l.component.startsWith('SES'))?.usd ?? 0;
  const usage = lines.filter((l) => !l.fixed && !l.component.startsWith('SES')).reduce((s, l) => s + l.usd, 0);
  const fixed = lines.filter((l) => l.fixed).reduce((s, l) => s + l.usd, 0);
  return {
    ses,
    usage,
    fixed,
    usageToSes: ses > 0 ? usage / ses : Number.NaN,
    allToSes: ses > 0 ? (usage + fixed) / ses : Number.NaN,
  };
}
