import type { Machine } from './report.ts';

export interface PageStats {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export interface ShopSummary {
  label: string;
  contacts: number;
  events: number;
  segmentEvents: number;
  enrollments: number;
  nodeVisits: number;
  counterItems: number;
  items: number;
  /** DynamoDB Local's own count of the table's items after the load. */
  tableItemCount: number;
  /** Events on the power contact's timeline (its own and `segment.entered`). */
  powerContactEvents: number;
  loadSeconds: number;
  itemsPerSecond: number;
  members: Record<string, number>;
  /** Events on the timelines of the contacts the contact page was measured with. */
  sampledContactEvents: { min: number; median: number; mean: number; max: number };
}

export interface PageResult {
  page: string;
  request: string;
  /** DynamoDB calls per request (large shop, from the warm-up), by command and item kind. */
  sdkCallsPerRequest: Record<string, number>;
  bodyBytes: { baseline: number; large: number };
  baseline: PageStats;
  large: PageStats;
  /** Median time per request with a DynamoDB call in flight. */
  dynamoMsP50: { baseline: number; large: number };
  /** Large p95 / baseline p95 (and the same for p50). */
  p95Ratio: number;
  p50Ratio: number;
  failed: { baseline: number; large: number };
  failures: string[];
}

export interface DashboardResults {
  runId: string;
  date: string;
  commit: string;
  command: string;
  machine: Machine;
  options: {
    contacts: number;
    events: number;
    baselineContacts: number;
    baselineEvents: number;
    samples: number;
    warmup: number;
    batch: number;
    concurrency: number;
    powerEvents: number;
    javaHeap: string;
    seed: number;
  };
  dynamoDbLocal: { mode: string; rssGbAfterLoad: number | undefined };
  shops: { baseline: ShopSummary; large: ShopSummary };
  pages: PageResult[];
  targetMs: number;
  measureSeconds: number;
  totalSeconds: number;
}

const n = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (value: number) => `${n(value, value < 10 ? 1 : 0)} ms`;
const duration = (seconds: number) =>
  seconds >= 60 ? `${Math.floor(seconds / 60)} min ${n(Math.round(seconds % 60))} s` : `${n(seconds, 1)} s`;
const kb = (bytes: number) => (bytes >= 1024 ? `${n(bytes / 1024, 1)} KB` : `${n(bytes)} B`);

/** `Query CONTACT` ×2 → "2 Query CONTACT"; the commands a page makes, most frequent first. */
function reads(calls: Record<string, number>): string {
  const entries = Object.entries(calls);
  if (entries.length === 0) return 'none';
  const total = entries.reduce((sum, [, count]) => sum + count, 0);
  const parts = entries.map(
    ([label, count]) => `${n(count, Number.isInteger(count) ? 0 : 1)} ${label.replace(/^dynamodb /, '')}`,
  );
  return `${n(total, Number.isInteger(total) ? 0 : 1)}: ${parts.join(', ')}`;
}

function shopLine(s: ShopSummary): string {
  return (
    `${n(s.contacts)} contacts, ${n(s.events)} events (+ ${n(s.segmentEvents)} \`segment.entered\`), ` +
    `${n(s.enrollments)} enrollments, ${n(s.counterItems)} counter items, ${n(s.items)} items in all ` +
    `(${s.tableItemCount === s.items ? 'the table counts the same' : `**the table counts ${n(s.tableItemCount)}**`}); ` +
    `loaded in ${duration(s.loadSeconds)} (${n(s.itemsPerSecond)} items/s). Segment members: ` +
    `${Object.entries(s.members)
      .map(([id, count]) => `${id} ${n(count)}`)
      .join(', ')}. ` +
    `Contacts measured on the contact page: ${n(s.sampledContactEvents.min)}–${n(s.sampledContactEvents.max)} events each ` +
    `(median ${n(s.sampledContactEvents.median)}, mean ${n(s.sampledContactEvents.mean, 1)}).`
  );
}

/** The markdown the run prints and writes to bench/results/dashboard-latest.md. */
export function dashboardMarkdown(r: DashboardResults): string {
  const o = r.options;
  const rows = r.pages.map((p) => {
    const ok = p.large.p95 < r.targetMs ? 'yes' : '**no**';
    return (
      `| ${p.page} | \`${p.request}\` | ${reads(p.sdkCallsPerRequest)} | ${kb(p.bodyBytes.large)} | ` +
      `${ms(p.baseline.p50)} / ${ms(p.baseline.p95)} | ${ms(p.large.p50)} | **${ms(p.large.p95)}** | ${ms(p.large.p99)} | ` +
      `${ms(p.large.max)} | ${ms(p.dynamoMsP50.large)} | ${n(p.p50Ratio, 2)}× / ${n(p.p95Ratio, 2)}× | ${ok} |`
    );
  });
  const failures = r.pages.flatMap((p) => p.failures);
  const failed = r.pages.reduce((sum, p) => sum + p.failed.baseline + p.failed.large, 0);
  const lines = [
    `Run \`${r.runId}\` of ${r.commit} on ${r.date.slice(0, 16).replace('T', ' ')} UTC: ${r.machine.cpuModel}, ` +
      `${r.machine.cores} cores, ${n(r.machine.memoryGb)} GB, Node ${r.machine.node}, load average at start ` +
      `${r.machine.loadAverageAtStart.join(' ')}. DynamoDB Local ${r.dynamoDbLocal.mode}, Java heap ${o.javaHeap}` +
      `${r.dynamoDbLocal.rssGbAfterLoad === undefined ? '' : `, JVM RSS after loading ${n(r.dynamoDbLocal.rssGbAfterLoad, 1)} GB`}. ` +
      `Whole run ${duration(r.totalSeconds)}, of which measuring ${duration(r.measureSeconds)}.`,
    '',
    `- **Large shop:** ${shopLine(r.shops.large)}`,
    `- **Baseline shop:** ${shopLine(r.shops.baseline)}`,
    `- **Both shops** also hold one power contact, outside the counts above, with the same ${n(o.powerEvents)}-event history ` +
      `(${n(r.shops.large.powerContactEvents)} timeline events with its segment entries): the contact page reads up to ` +
      '1,000 of them (`SCORED_EVENTS`), so this is its most expensive case.',
    '',
    `Each page: ${o.warmup} warm-up requests, then ${o.samples} measured, one at a time, per table; the two ` +
      `tables take turns every ${o.batch} requests. Server time = the dashboard handler's own time for ` +
      '`GET /dashboard/data/<page>` (its data, which is all the page reads), middleware and session check included. ' +
      'The two floor rows time the same DynamoDB client alone, without the handler: what DynamoDB Local itself costs per table.',
    '',
    `| Page | Request | DynamoDB calls per request | Response | Baseline ${n(o.baselineContacts)} / ${n(o.baselineEvents)}: p50 / p95 | ` +
      `${n(o.contacts)} / ${n(o.events)}: p50 | p95 | p99 | max | of which in DynamoDB calls (median) | vs baseline: p50 / p95 | p95 < ${r.targetMs} ms |`,
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |',
    ...rows,
    '',
    failed === 0
      ? `Every response (warm-up included) was a 200 with the content the loaded data requires.`
      : `**${n(failed)} responses were wrong**: ${failures.join('; ')}`,
  ];
  return `${lines.join('\n')}\n`;
}
