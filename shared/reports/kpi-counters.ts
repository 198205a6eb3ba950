import type { EventName, TimelineEvent } from '#core/contact.ts';
import type { CounterIncrement, Counters } from './counters.ts';
import { journeyIncrementsFor } from './journey-report.ts';
import { cmp, dayOf, monthOfDay, monthsBetween } from './kpi-periods.ts';

/**
 * Lifecycle KPIs for the owner's dashboard, kept as counters the store updates with atomic adds
 * as each timeline event is applied, so a page reads a few items and never scans events.
 *
 * Counter items (all fields are numbers, missing = 0; days and months are UTC):
 * - `kpi#day#YYYY-MM-DD` and `kpi#month#YYYY-MM`: the same fields, once per day and once per month
 *   (months make "everything before this date" cheap: a few dozen items, not thousands of days).
 *   Flow fields, one add per event: `orders`, `orders_<CUR>`, `sales_<CUR>` (order totals, minor
 *   units), `refunds_<CUR>`, `subs_started`, `subs_cancelled`, `nps_responses`, `nps_promoters`,
 *   `nps_detractors`, `email_sent|delivered|opened|clicked|bounced|complained|unsubscribed`.
 *   Contact fields, 0/1 per contact, derived from its {@link ContactKpiState}: `contacts_new` (on
 *   its created day), `leads_new` (its first form), `leads_converted` (on its FIRST FORM's day,
 *   once its first order follows that form), `customers_new` (first order), `customers_repeat`
 *   (second order).
 * - `kpi#cohort#YYYY-MM` (first-order month): `customers`, and `m<k>` = customers of the cohort
 *   who ordered in the k-th month after it (k ≥ 1; month 0 is the whole cohort by definition).
 * - `journey#<journeyId>#v<version>`: see journey-report.ts.
 *
 * Per-contact state ({@link ContactKpiState}) is needed only for `contact.created`,
 * `form.submitted` and `order.placed` (firsts, repeat purchase, cohorts); for every other event it
 * is left as it is. The facts are a few hundred bytes: two timestamps, the two earliest order
 * times and one entry per month with an order. (Replays are refused by the store, which keeps
 * the ids of a day or two beside the facts: see AggregateStore.)
 */

/** The per-contact facts the KPIs need, stored as one small JSON item per contact. */
export interface ContactKpiState {
  /** Earliest `contact.created`. */
  createdAt?: string;
  /** Earliest `form.submitted`: the contact became a lead. */
  leadAt?: string;
  /** The two earliest `order.placed` times, ascending (first order, second order). */
  firstOrders?: string[];
  /** Distinct UTC months (`YYYY-MM`) with at least one order, ascending. */
  orderMonths?: string[];
}

/**
 * Events whose increments depend on the contact's state, and which move it. The others are
 * applied without reading it (the store still keeps each to once, on the contact's state item).
 */
export const STATEFUL_EVENTS: readonly EventName[] = ['contact.created', 'form.submitted', 'order.placed'];

export const dayKey = (day: string): string => `kpi#day#${day}`;
export const monthKey = (month: string): string => `kpi#month#${month}`;
export const cohortKey = (month: string): string => `kpi#cohort#${month}`;

const EMAIL_FIELDS: Partial<Record<EventName, string>> = {
  'email.sent': 'email_sent',
  'email.delivered': 'email_delivered',
  'email.opened': 'email_opened',
  'email.clicked': 'email_clicked',
  'email.bounced': 'email_bounced',
  'email.complained': 'email_complained',
  'contact.unsubscribed': 'email_unsubscribed',
};

/**
 * Every event that moves a counter or a contact's KPI state; the aggregating consumer is only
 * invoked for these (its stream filter), so the rest cost it nothing.
 */
export const AGGREGATED_EVENTS: readonly EventName[] = [
  ...STATEFUL_EVENTS,
  'order.refunded',
  'subscription.started',
  'subscription.cancelled',
  'nps.responded',
  'journey.entered',
  'journey.converted',
  'journey.exited',
  'journey.repaired',
  ...(Object.keys(EMAIL_FIELDS) as EventName[]),
  // Not KPIs: a journey send's outcome counts its node's visit on the journey's counter
  // (`sendVisits`), a skip or a deferral too; each is applied once like the others.
  'email.skipped',
  'email.deferred',
];

/**
 * The counter increments one timeline event causes, and the contact's new state. Pure and
 * deterministic: the same event and state always give the same result.
 *
 * Idempotency contract: the app applies each event once (the store refuses an event id already
 * applied to the contact, in the same write as the adds and the state). Order does not matter: facts derived
 * from the state (firsts, cohorts) are recomputed and emitted as the difference, so an older
 * order arriving late moves the contact to the right cohort with -1/+1 adds.
 */
export function incrementsFor(
  event: TimelineEvent,
  contactState: ContactKpiState | undefined,
): { increments: CounterIncrement[]; state: ContactKpiState } {
  const before = contactState ?? {};
  const after: ContactKpiState = { ...before };
  const increments: CounterIncrement[] = [];
  // Normalised to UTC ISO so that string order is time order in the state.
  const at = new Date(event.at).toISOString();
  const day = at.slice(0, 10);
  const flow = (field: string, by = 1) => increments.push(...onDayAndMonth(day, field, by));

  switch (event.name) {
    case 'contact.created':
      after.createdAt = earliest(before.createdAt, at);
      break;
    case 'form.submitted':
      after.leadAt = earliest(before.leadAt, at);
      break;
    case 'order.placed': {
      const total = money(event.data.total);
      after.firstOrders = [...(before.firstOrders ?? []), at].sort().slice(0, 2);
      after.orderMonths = [...new Set([...(before.orderMonths ?? []), monthOfDay(day)])].sort();
      flow('orders');
      if (total) {
        flow(`orders_${total.currency}`);
        flow(`sales_${total.currency}`, total.amountMinor);
      }
      break;
    }
    case 'order.refunded': {
      const amount = money(event.data.amount);
      if (amount) flow(`refunds_${amount.currency}`, amount.amountMinor);
      break;
    }
    case 'subscription.started':
      flow('subs_started');
      break;
    case 'subscription.cancelled':
      flow('subs_cancelled');
      break;
    case 'nps.responded': {
      const score = event.data.score;
      if (typeof score !== 'number') break;
      flow('nps_responses');
      if (score >= 9) flow('nps_promoters');
      else if (score <= 6) flow('nps_detractors');
      break;
    }
    case 'journey.entered':
    case 'journey.converted':
    case 'journey.exited':
    case 'journey.repaired':
      increments.push(...journeyIncrementsFor(event));
      break;
    default: {
      const field = EMAIL_FIELDS[event.name];
      if (field) flow(field);
    }
  }

  if (STATEFUL_EVENTS.includes(event.name)) increments.push(...cellDiff(cellsOf(before), cellsOf(after)));
  return { increments: mergeIncrements(increments), state: after };
}

/** Adds increments into an in-memory copy of the counters (what the store does with `ADD`). */
export function applyIncrements(counters: Counters, increments: readonly CounterIncrement[]): Counters {
  const next: Counters = { ...counters };
  for (const { key, field, by } of increments) {
    const item = { ...(next[key] ?? {}) };
    item[field] = (item[field] ?? 0) + by;
    next[key] = item;
  }
  return next;
}

/** Sums increments to the same field and drops the ones that cancel out; sorted for determinism. */
export function mergeIncrements(increments: readonly CounterIncrement[]): CounterIncrement[] {
  const sums = new Map<string, CounterIncrement>();
  for (const inc of increments) {
    const id = `${inc.key}\u0000${inc.field}`;
    const seen = sums.get(id);
    sums.set(id, { key: inc.key, field: inc.field, by: (seen?.by ?? 0) + inc.by });
  }
  return [...sums.values()]
    .filter((inc) => inc.by !== 0)
    .sort((a, b) => (a.key === b.key ? cmp(a.field, b.field) : cmp(a.key, b.key)));
}

function onDayAndMonth(day: string, field: string, by: number): CounterIncrement[] {
  return [
    { key: dayKey(day), field, by },
    { key: monthKey(monthOfDay(day)), field, by },
  ];
}

/** The 0/1 counter cells a contact's state contributes, as `key\0field`. */
function cellsOf(state: ContactKpiState): Set<string> {
  const cells = new Set<string>();
  const onDay = (at: string, field: string) => {
    for (const inc of onDayAndMonth(dayOf(at), field, 1)) cells.add(`${inc.key}\u0000${inc.field}`);
  };
  const [first, second] = state.firstOrders ?? [];
  if (state.createdAt) onDay(state.createdAt, 'contacts_new');
  if (state.leadAt) {
    onDay(state.leadAt, 'leads_new');
    if (first && first >= state.leadAt) onDay(state.leadAt, 'leads_converted');
  }
  if (first) {
    onDay(first, 'customers_new');
    const cohort = monthOfDay(dayOf(first));
    cells.add(`${cohortKey(cohort)}\u0000customers`);
    for (const month of state.orderMonths ?? []) {
      const k = monthsBetween(cohort, month);
      if (k >= 1) cells.add(`${cohortKey(cohort)}\u0000m${k}`);
    }
  }
  if (second) onDay(second, 'customers_repeat');
  return cells;
}

function cellDiff(before: Set<string>, after: Set<string>): CounterIncrement[] {
  const out: CounterIncrement[] = [];
  const cell = (id: string, by: number) => {
    const [key = '', field = ''] = id.split('\u0000');
    out.push({ key, field, by });
  };
  for (const id of after) if (!before.has(id)) cell(id, 1);
  for (const id of before) if (!after.has(id)) cell(id, -1);
  return out;
}

function money(value: unknown): { amountMinor: number; currency: string } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { amountMinor, currency } = value as { amountMinor?: unknown; currency?: unknown };
  return typeof amountMinor === 'number' && typeof currency === 'string' ? { amountMinor, currency } : undefined;
}

const earliest = (a: string | undefined, b: string): string => (a !== undefined && a <= b ? a : b);
