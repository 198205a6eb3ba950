/**
 * `npm run bench:journeys`: how fast the simulator backtests the built-in journeys.
 *
 * It generates a deterministic shop history (N contacts, 90 days of forms, checkouts, orders,
 * cancellations, failed payments and email engagement), then backtests each built-in journey
 * over it in this process: the compiled ASL on aws-local-stepfunctions with a virtual clock and
 * the real domain code on in-memory stores, exactly as `tend journeys backtest` does.
 *
 * Baseline, measured in the same run: one aws-local-stepfunctions execution of a two-state
 * machine (Pass → Succeed) per contact, the library's own floor cost. Results are reported as
 * contacts simulated per second and as a ratio to that floor, plus the process's peak RSS.
 */
import '#workflows/asl/polyfill.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { Contact, TimelineEvent } from '#core/contact.ts';
import { backtestRequestSchema } from '#journeys/api.schema.ts';
import { type BacktestReport, type BacktestSource, runBacktest } from '#journeys/backtest.ts';
import { createTemplateCatalog } from '#messaging/built-in-catalog.ts';
import { builtInTemplateIds } from '#messaging/templating/compiled-built-ins.ts';
import { renderCompiled } from '#messaging/templating/render.ts';
import { createMemoryStore } from '#platform/memory-store.ts';
import { BUILT_IN_JOURNEY_IDS, BUILT_IN_JOURNEYS } from '#workflows/journeys/index.ts';
import { prng } from '../infra/local/demo-shop.ts';
import { round } from './stats.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const HELP = `Usage: npm run bench:journeys [-- options]

  --contacts N    contacts in the generated history (default 5000)
  --days N        length of the backtested period (default 90)
  --journeys a,b  built-in journeys to backtest (default all five)`;

const { values: args } = parseArgs({
  options: {
    contacts: { type: 'string', default: '5000' },
    days: { type: 'string', default: '90' },
    journeys: { type: 'string', default: BUILT_IN_JOURNEY_IDS.join(',') },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  console.log(HELP);
  process.exit(0);
}
const contactsWanted = Number(args.contacts);
const days = Number(args.days);
const journeyIds = (args.journeys ?? '')
  .split(',')
  .filter((id): id is (typeof BUILT_IN_JOURNEY_IDS)[number] => (BUILT_IN_JOURNEY_IDS as string[]).includes(id));
if (
  !Number.isInteger(contactsWanted) ||
  contactsWanted < 1 ||
  !Number.isInteger(days) ||
  days < 1 ||
  journeyIds.length === 0
) {
  console.error(HELP);
  process.exit(2);
}

const FROM = Date.parse('2026-08-01T00:00:00Z');
const DAY = 86_400_000;
const money = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });

/** A shop's history: every contact has a handful of events; some buy, some abandon, some churn. */
function generate(n: number): { contact: Contact; events: TimelineEvent[] }[] {
  const random = prng(20_261_126);
  const out: { contact: Contact; events: TimelineEvent[] }[] = [];
  for (let i = 0; i < n; i++) {
    const contactId = `c-bench-${i}`;
    const events: TimelineEvent[] = [];
    let seq = 0;
    const add = (name: TimelineEvent['name'], at: number, data: Record<string, unknown>) =>
      events.push({ eventId: `${contactId}-${++seq}`, contactId, name, at: new Date(at).toISOString(), data });
    const start = FROM + Math.floor(random() * days * DAY);
    add('form.submitted', start, {
      formId: 'signup',
      fields: random() < 0.3 ? { leadMagnet: 'buying-guide' } : {},
      cause: `bench:${contactId}`,
    });
    let t = start;
    const visits = Math.floor(random() * 5);
    for (let v = 0; v < visits; v++) {
      t += Math.floor(random() * 20 * DAY);
      const cart = `cart-${i}-${v}`;
      const total = 1500 + Math.floor(random() * 40_000);
      add('checkout.started', t, { cartId: cart, total: money(total), lineItems: [] });
      if (random() < 0.6)
        add('order.placed', t + Math.floor(random() * 6 * 3_600_000), {
          orderId: `o-${cart}`,
          cartId: cart,
          total: money(total),
          lineItems: [],
        });
      if (random() < 0.3) add('email.opened', t + DAY, {});
      if (random() < 0.1) add('email.clicked', t + DAY + 60_000, {});
    }
    if (random() < 0.05) add('subscription.cancelled', t + 2 * DAY, { subscriptionId: `sub-${i}` });
    if (random() < 0.05) add('payment.failed', t + 3 * DAY, { invoiceId: `in-${i}`, amount: money(1900) });
    const createdAt = new Date(start).toISOString();
    out.push({
      contact: {
        contactId,
        email: `bench-${i}@example.com`,
        firstName: 'Bench',
        properties: {},
        createdAt,
        updatedAt: createdAt,
        createdBy: `bench:${contactId}`,
      },
      events,
    });
  }
  return out;
}

const source = (data: { contact: Contact; events: TimelineEvent[] }[]): BacktestSource => ({
  async *contacts() {
    for (const entry of data) yield entry;
  },
});

/** The library's floor: one two-state execution, in ms, averaged over `n` runs. */
async function floorMs(n: number): Promise<number> {
  const definition = { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Succeed' } } };
  const machine = new StateMachine(definition as unknown as StateMachineDefinition, {
    validationOptions: { noValidate: true },
  });
  for (let i = 0; i < 200; i++) await machine.run({ i }).result; // warm-up
  const started = performance.now();
  for (let i = 0; i < n; i++) await machine.run({ i }).result;
  return (performance.now() - started) / n;
}

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 100);

const deps = {
  templates: createTemplateCatalog(createMemoryStore().store),
  render: renderCompiled,
  settings: { defaultTimeZone: 'UTC' },
  validationContext: async () => ({ templates: builtInTemplateIds }),
};

console.log(`generating ${contactsWanted} contacts over ${days} days…`);
const data = generate(contactsWanted);
const eventCount = data.reduce((sum, d) => sum + d.events.length, 0);
console.log(`  ${eventCount} events`);
const floor = await floorMs(Math.min(contactsWanted, 2000));
console.log(`baseline: ${round(floor, 3)} ms per two-state execution`);

const rows: (Pick<
  BacktestReport,
  'journeyId' | 'candidates' | 'entered' | 'conversions' | 'transitions' | 'durationMs'
> & {
  emailsSent: number;
  simulatedPerSecond: number;
  msPerSimulated: number;
  timesFloor: number;
})[] = [];
for (const id of journeyIds) {
  const request = backtestRequestSchema.parse({
    from: new Date(FROM).toISOString(),
    to: new Date(FROM + days * DAY).toISOString(),
    samples: 0,
  });
  const report = await runBacktest({ ...deps, history: source(data) }, BUILT_IN_JOURNEYS[id], request);
  if (report.failures.length > 0)
    throw new Error(`${id}: ${report.failures.length} simulated executions failed: ${report.failures[0]?.error}`);
  const msPer = report.durationMs / Math.max(1, report.candidates);
  rows.push({
    journeyId: id,
    candidates: report.candidates,
    entered: report.entered,
    conversions: report.conversions,
    transitions: report.transitions,
    durationMs: report.durationMs,
    emailsSent: Object.values(report.emails).reduce((sum, e) => sum + e.sent, 0),
    simulatedPerSecond: round((report.candidates / report.durationMs) * 1000),
    msPerSimulated: round(msPer, 2),
    timesFloor: round(msPer / floor, 1),
  });
  console.log(`  ${id}: ${report.candidates} contacts simulated in ${report.durationMs} ms`);
}
clearInterval(sampler);

const machine = { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', node: process.version };
const table = [
  '| Journey | Contacts simulated | Entered | Converted | Emails sent | Transitions | Wall | Contacts/s | ms per contact | × floor |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.journeyId} | ${r.candidates} | ${r.entered} | ${r.conversions} | ${r.emailsSent} | ${r.transitions} | ${(r.durationMs / 1000).toFixed(1)} s | ${r.simulatedPerSecond} | ${r.msPerSimulated} | ${r.timesFloor} |`,
  ),
].join('\n');
const summary = `Contacts ${contactsWanted}, events ${eventCount}, period ${days} days; baseline ${round(floor, 3)} ms per two-state execution; peak RSS ${round(peakRss / 1_048_576)} MB; ${machine.cpus} × ${machine.cpu}, Node ${machine.node}.`;
console.log(`\n${table}\n\n${summary}`);
mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(
  path.join(ROOT, 'bench/results/journeys-latest.json'),
  `${JSON.stringify({ date: new Date().toISOString(), contacts: contactsWanted, events: eventCount, days, floorMs: floor, peakRssMb: round(peakRss / 1_048_576), machine, rows }, null, 2)}\n`,
);
writeFileSync(path.join(ROOT, 'bench/results/journeys-latest.md'), `${table}\n\n${summary}\n`);
console.log('Wrote bench/results/journeys-latest.{json,md}.');
