import { type BillLine, billSummary, type MeasuredMonth } from './cost-bill.ts';
import { PRICE_DATE } from './cost-prices.ts';
import type { Machine } from './report.ts';

export interface CostResults {
  date: string;
  commit: string;
  command: string;
  machine: Machine;
  options: { contacts: number; events: number; timeScale: number; concurrency: number };
  /** Seconds spent posting the events, and until the stack was quiet with no execution running. */
  postSeconds: number;
  processSeconds: number;
  totalSeconds: number;
  refused: number;
  stillRunning: number;
  /** send-email runs left out as the scaled-wait artefact, and the rounds found in the histories. */
  repeatedDeferrals: { invocations: number; inHistories: number };
  /** Data calls whose answer carried no ConsumedCapacity (0 when DynamoDB Local reported it every time). */
  unreportedCapacity: number;
  measured: MeasuredMonth;
  bill: BillLine[];
}

const usd = (v: number) => `$${v < 0.01 && v > 0 ? v.toFixed(4) : v.toFixed(2)}`;
const n = (v: number) => Math.round(v).toLocaleString('en-US');

/** The markdown `npm run bench:cost` prints and writes to bench/results/cost-latest.md. */
export function costMarkdown(r: CostResults): string {
  const m = r.measured;
  const s = billSummary(r.bill);
  const share = (v: number) => (s.ses > 0 ? `${(v / s.ses).toFixed(3)}×` : 'n/a');
  const fnRows = Object.entries(m.functions)
    .sort((a, b) => b[1].writeUnits + b[1].readUnits - (a[1].writeUnits + a[1].readUnits))
    .map(
      ([name, f]) =>
        `| ${name}${f.scheduled ? ' (every minute)' : ''} | ${n(f.invocations)} | ${n(f.billedMs / Math.max(1, f.invocations))} ms | ${f.memoryMb} | ${n(f.readUnits)} | ${n(f.writeUnits)} | ${n(f.logBytes / 1024)} KB |`,
    );
  return `${[
    `Run of ${r.commit} on ${r.date.slice(0, 16).replace('T', ' ')} UTC: ${r.machine.cpuModel}, ${r.machine.cores} cores, ` +
      `Node ${r.machine.node}, load average at start ${r.machine.loadAverageAtStart.join(' ')}. ` +
      `${n(r.options.events)} events over ${n(r.options.contacts)} contacts, time scale ${n(r.options.timeScale)}, ` +
      `${r.options.concurrency} posting at once: posted in ${n(r.postSeconds)} s, quiet ${n(r.processSeconds)} s later, ` +
      `${n(r.totalSeconds)} s in all. Prices: us-east-1 list prices of ${PRICE_DATE}, no free tier.`,
    '',
    `Measured at 1/${n(m.scale)} of the month: ${n(m.contacts)} contacts, ${n(m.events)} events (${n(r.refused)} refused), ` +
      `${n(m.emails)} emails, ${n(m.enrollments)} enrollments (${n(r.stillRunning)} still running at the end), ` +
      `${n(m.transitions)} state transitions, ${n(m.eventBridgeEvents)} SES events, ${n(m.apiRequests)} HTTP requests. ` +
      `Left out as a local artefact: ${n(r.repeatedDeferrals.invocations)} send-email runs that deferred again to the ` +
      `same time (${n(r.repeatedDeferrals.inHistories)} such rounds in the executions' histories).`,
    '',
    `| Component, full month (×${n(m.scale)}; the every-minute schedules: idle run ×43,200, their work ×${n(m.scale)}) | Quantity | Monthly cost | vs SES |`,
    '| --- | ---: | ---: | ---: |',
    ...r.bill.map(
      (l) => `| ${l.fixed ? 'Fixed: ' : ''}${l.component} | ${l.quantity} | ${usd(l.usd)} | ${share(l.usd)} |`,
    ),
    `| **SES (the reference)** | | **${usd(s.ses)}** | 1× |`,
    `| **Infrastructure, usage-based (all but SES and the fixed lines)** | | **${usd(s.usage)}** | **${share(s.usage)}** |`,
    `| **Infrastructure with the fixed monthly lines** | | **${usd(s.usage + s.fixed)}** | **${share(s.usage + s.fixed)}** |`,
    '',
    `Goal: the infrastructure costs at most 0.5× SES. Usage-based: ${s.usageToSes <= 0.5 ? 'met' : 'NOT met'} ` +
      `(${s.usageToSes.toFixed(2)}×); with the fixed lines: ${s.allToSes <= 0.5 ? 'met' : 'NOT met'} (${s.allToSes.toFixed(2)}×).`,
    '',
    '| Function (measured in the run) | Invocations | Handler time, mean billed | MB | Read units | Write units | Logged |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...fnRows,
    '',
    '| Schedule, idle runs on the quiet stack before the events | Runs | Handler time, mean billed | Read units a run | Write units a run | Logged a run |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...Object.entries(m.functions)
      .filter(([, f]) => f.idle)
      .map(([name, f]) => {
        const idle = f.idle as NonNullable<typeof f.idle>;
        const per = (v: number) => (idle.runs > 0 ? v / idle.runs : 0);
        return `| ${name} | ${n(idle.runs)} | ${n(per(idle.billedMs))} ms | ${per(idle.readUnits).toFixed(1)} | ${per(idle.writeUnits).toFixed(1)} | ${n(per(idle.logBytes))} B |`;
      }),
    '',
    'A schedule is billed as its idle run × 43,200 plus what its runs during the events did beyond idle (due items, repairs, scans), scaled with the traffic like every other function.',
  ].join('\n')}\n`;
}
