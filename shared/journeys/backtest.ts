import type { ContactStore } from '#contacts/store.ts';
import type { Contact, TimelineEvent } from '#core/contact.ts';
import { contactValue } from '#workflows/conditions.ts';
import type { Journey } from '#workflows/journey.schema.ts';
import type { BacktestRequest, SimulateRequest } from './api.schema.ts';
import { simulateWorld } from './simulation.ts';
import { prepareJourney, type SimulationDeps } from './simulation-deployment.ts';
import type { ContactRun } from './simulation-record.ts';
import type { DueStore } from './store.ts';

/**
 * `simulate`: one contact with a scripted timeline, printed as its path with virtual times.
 * `backtest`: a draft over the stored events of a period — what it would have done: entries,
 * contacts per node, emails per template (sent, skipped, deferred by quiet hours or caps),
 * conversions, exits and cost in state transitions.
 */

const DAY_MS = 86_400_000;
/** Step Functions Standard: $0.025 per 1,000 state transitions (us-east-1 list price). */
export const USD_PER_TRANSITION = 0.000025;

/** Events a backtest replays; what the journeys themselves wrote (sends, entries) is left out. */
const NOT_REPLAYED = new Set([
  'contact.created',
  'email.sent',
  'email.skipped',
  'email.deferred',
  'email.delivered',
  'journey.entered',
  'journey.converted',
  'journey.exited',
  'contact.merged',
  // Memberships are re-derived from the replayed events by the simulation itself.
  'segment.entered',
  'segment.exited',
]);

export async function runSimulation(deps: SimulationDeps, document: unknown, request: SimulateRequest) {
  const prepared = await prepareJourney(deps, document);
  const script: TimelineEvent[] = request.timeline.map((e, i) => ({
    eventId: e.id ?? `sim-${i + 1}`,
    contactId: 'c-simulated',
    name: e.name,
    at: new Date(e.at).toISOString(),
    data: e.data,
  }));
  const sorted = [...script].sort((a, b) => a.at.localeCompare(b.at));
  const from = new Date(request.from ?? sorted[0]?.at ?? new Date().toISOString());
  const last = sorted.length > 0 ? Date.parse((sorted[sorted.length - 1] as TimelineEvent).at) : from.getTime();
  const until = new Date(request.until ?? Math.max(last, from.getTime()) + 90 * DAY_MS);
  const createdAt = request.contact.createdAt ?? sorted[0]?.at ?? from.toISOString();
  const contact: Contact = {
    contactId: 'c-simulated',
    email: request.contact.email,
    ...(request.contact.firstName ? { firstName: request.contact.firstName } : {}),
    ...(request.contact.lastName ? { lastName: request.contact.lastName } : {}),
    ...(request.contact.locale ? { locale: request.contact.locale } : {}),
    ...(request.contact.timeZone ? { timeZone: request.contact.timeZone } : {}),
    properties: request.contact.properties,
    tags: request.contact.tags,
    createdAt,
    updatedAt: createdAt,
    createdBy: 'simulation',
  };
  const run = await simulateWorld(deps, prepared, {
    contact,
    history: [],
    script,
    from,
    until,
    createdBy: request.contact.createdAt ? undefined : sorted[0]?.eventId,
  });
  return {
    journeyId: prepared.journey.id,
    from: from.toISOString(),
    until: until.toISOString(),
    enrollments: run.enrollments.map((e) => ({
      enrollmentId: e.enrollmentId,
      status: run.activeAtEnd.includes(e.enrollmentId) ? 'active at the end' : e.status,
      enteredAt: e.enteredAt,
      trigger: e.trigger?.name ?? e.trigger?.type,
      ...(e.exitReason ? { exitReason: e.exitReason } : {}),
      ...(e.conversion ? { conversion: e.conversion } : {}),
    })),
    emails: run.emails,
    steps: run.steps,
    transitions: run.transitions,
    failures: run.failures,
    tasks: run.taskSubjects,
    webhooks: run.webhooks,
    contact: run.finalContact,
    lines: formatRun(run, prepared.journey),
  };
}

/** Where a backtest reads contacts and their events. */
export interface BacktestSource {
  contacts(): AsyncIterable<{ contact: Contact; events: TimelineEvent[] }>;
}

/** The deployment's own store: contacts page by page, each with its timeline. */
export function storeSource(
  store: Pick<DueStore, 'scanContacts'> & Pick<ContactStore, 'listEvents'>,
  pageSize = 100,
): BacktestSource {
  return {
    async *contacts() {
      let cursor: string | undefined;
      do {
        const page = await store.scanContacts(cursor, pageSize);
        for (const contact of page.contacts) {
          yield { contact, events: await store.listEvents(contact.contactId, 1_000) };
        }
        cursor = page.cursor;
      } while (cursor);
    },
  };
}

export interface BacktestReport {
  journeyId: string;
  from: string;
  to: string;
  contactsScanned: number;
  candidates: number;
  truncated: boolean;
  entered: number;
  holdout: number;
  /** Enrollments that reached each node. */
  nodes: Record<string, number>;
  emails: Record<string, { sent: number; skipped: Record<string, number>; deferred: Record<string, number> }>;
  deferrals: Record<string, number>;
  conversions: number;
  conversionRate: number;
  revenue: Record<string, number>;
  /** How enrollments ended: completed, failed, exited (converted), exited (exit-rule)... */
  ended: Record<string, number>;
  activeAtEnd: number;
  tasks: number;
  webhooks: number;
  transitions: number;
  estimatedCostUsd: number;
  failures: { contactId: string; enrollmentId: string; error: string }[];
  samples: { contact: string; lines: string[] }[];
  durationMs: number;
}

/** Would this contact do anything in the period? (Most contacts need no simulation.) */
function isCandidate(journey: Journey, contact: Contact, script: TimelineEvent[], history: TimelineEvent[]): boolean {
  return journey.triggers.some((t) => {
    switch (t.type) {
      case 'event':
        return script.some((e) => e.name === t.event);
      case 'inactivity':
        return [...history, ...script].some((e) => e.name === t.event);
      case 'date':
        return contactValue({ ...contact, properties: contact.properties }, t.property) !== undefined;
      case 'schedule':
        return contact.email !== undefined;
      default:
        return false;
    }
  });
}

export async function runBacktest(
  deps: SimulationDeps & { history: BacktestSource },
  document: unknown,
  request: BacktestRequest,
): Promise<BacktestReport> {
  const started = performance.now();
  const prepared = await prepareJourney(deps, document);
  const from = new Date(request.from);
  const to = new Date(request.to);
  const report: BacktestReport = {
    journeyId: prepared.journey.id,
    from: from.toISOString(),
    to: to.toISOString(),
    contactsScanned: 0,
    candidates: 0,
    truncated: false,
    entered: 0,
    holdout: 0,
    nodes: {},
    emails: {},
    deferrals: {},
    conversions: 0,
    conversionRate: 0,
    revenue: {},
    ended: {},
    activeAtEnd: 0,
    tasks: 0,
    webhooks: 0,
    transitions: 0,
    estimatedCostUsd: 0,
    failures: [],
    samples: [],
    durationMs: 0,
  };
  const fromIso = from.toISOString();
  const toIso = to.toISOString();
  for await (const { contact, events } of deps.history.contacts()) {
    if (report.contactsScanned >= request.maxContacts) {
      report.truncated = true;
      break;
    }
    report.contactsScanned += 1;
    if (contact.createdAt > toIso) continue;
    const ordered = [...events].sort((a, b) => a.at.localeCompare(b.at));
    const history = ordered.filter((e) => e.at < fromIso);
    const script = ordered.filter((e) => e.at >= fromIso && e.at <= toIso && !NOT_REPLAYED.has(e.name));
    if (!isCandidate(prepared.journey, contact, script, history)) continue;
    report.candidates += 1;
    const created = script.find((e) => e.data.cause !== undefined && e.data.cause === contact.createdBy);
    // The contact as it was before the period: created then, with today's profile (a known approximation).
    const run = await simulateWorld(deps, prepared, {
      contact,
      history,
      script,
      from,
      until: to,
      createdBy: created?.eventId,
    });
    aggregate(report, run);
    if (report.samples.length < request.samples && run.enrollments.length > 0) {
      report.samples.push({ contact: contact.email ?? contact.contactId, lines: formatRun(run, prepared.journey) });
    }
  }
  const enrolled = report.entered - report.holdout;
  report.conversionRate = enrolled > 0 ? round(report.conversions / report.entered, 4) : 0;
  report.estimatedCostUsd = round(report.transitions * USD_PER_TRANSITION, 6);
  report.durationMs = Math.round(performance.now() - started);
  return report;
}

function aggregate(report: BacktestReport, run: ContactRun) {
  report.entered += run.enrollments.length;
  report.holdout += run.enrollments.filter((e) => e.status === 'holdout').length;
  report.transitions += run.transitions;
  report.tasks += run.tasks;
  report.webhooks += run.webhooks;
  report.activeAtEnd += run.activeAtEnd.length;
  for (const f of run.failures) report.failures.push({ contactId: run.contactId, ...f });
  const visits = new Set(run.steps.map((s) => `${s.enrollmentId}\u0000${s.nodeId}`));
  for (const visit of visits) {
    const nodeId = visit.split('\u0000')[1] as string;
    report.nodes[nodeId] = (report.nodes[nodeId] ?? 0) + 1;
  }
  for (const email of run.emails) {
    report.emails[email.template] ??= { sent: 0, skipped: {}, deferred: {} };
    const entry = report.emails[email.template] as BacktestReport['emails'][string];
    if (email.outcome === 'sent' || email.outcome === 'already-sent') entry.sent += 1;
    else if (email.outcome === 'skipped')
      entry.skipped[email.reason ?? 'unknown'] = (entry.skipped[email.reason ?? 'unknown'] ?? 0) + 1;
    else {
      entry.deferred[email.reason ?? 'unknown'] = (entry.deferred[email.reason ?? 'unknown'] ?? 0) + 1;
      report.deferrals[email.reason ?? 'unknown'] = (report.deferrals[email.reason ?? 'unknown'] ?? 0) + 1;
    }
  }
  for (const e of run.enrollments) {
    if (e.conversion) {
      report.conversions += 1;
      if (e.conversion.revenue) {
        const { currency, amountMinor } = e.conversion.revenue;
        report.revenue[currency] = (report.revenue[currency] ?? 0) + amountMinor;
      }
    }
    if (run.activeAtEnd.includes(e.enrollmentId)) continue;
    const key = e.status === 'exited' ? `exited (${e.exitReason ?? 'unknown'})` : e.status;
    report.ended[key] = (report.ended[key] ?? 0) + 1;
  }
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The run as lines with virtual timestamps: events, each step, and how each enrollment ended. */
export function formatRun(run: ContactRun, journey: Journey): string[] {
  const rows: { at: string; order: number; text: string }[] = [];
  const short = (id: string) => (run.enrollments.length > 1 ? ` [${id.slice(0, 8)}]` : '');
  run.events.forEach((e, i) => {
    rows.push({
      at: e.at,
      order: i,
      text: `event ${e.name}${e.effect.length ? ` → ${e.effect.join(', ').replace(/ \(e-[^)]+\)/g, '')}` : ''}`,
    });
  });
  for (const e of run.enrollments) {
    // Entries by time triggers have no event line of their own.
    if (e.trigger && e.trigger.type !== 'event') {
      const why =
        e.trigger.type === 'inactivity'
          ? `no ${e.trigger.name} since ${run.events.findLast((x) => x.name === e.trigger?.name)?.at ?? 'before'}`
          : e.trigger.type;
      rows.push({ at: e.enteredAt, order: 5_000, text: `entered (${why})` });
    }
  }
  for (const [i, s] of run.steps.entries()) {
    rows.push({ at: s.at, order: 10_000 + i, text: `${s.nodeId}${short(s.enrollmentId)}: ${s.detail}` });
  }
  rows.sort((a, b) => a.at.localeCompare(b.at) || a.order - b.order);
  const lines = rows.map((r) => `${r.at.replace('.000Z', 'Z')}  ${r.text}`);
  for (const e of run.enrollments) {
    const end = run.activeAtEnd.includes(e.enrollmentId)
      ? 'still active when the simulation ended'
      : e.status === 'holdout'
        ? 'kept out as holdout (control group)'
        : `${e.status}${e.exitReason && e.exitReason !== e.status ? ` (${e.exitReason})` : ''}${e.endedAt ? ` at ${e.endedAt}` : ''}`;
    const conversion = e.conversion ? `; converted: ${e.conversion.goal} at ${e.conversion.at}` : '; not converted';
    lines.push(`${journey.name}${short(e.enrollmentId)}: ${end}${conversion}`);
  }
  if (run.enrollments.length === 0) lines.push(`${journey.name}: the contact never entered`);
  for (const f of run.failures) lines.push(`failed: ${f.error}`);
  return lines;
}
