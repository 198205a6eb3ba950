import type { EventName, TimelineEvent } from '#core/contact.ts';
import type { CounterIncrement, Counters } from './counters.ts';
import { journeyIncrementsFor } from './journey-report.ts';

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

export type { CounterIncrement, CounterStamp, Counters } from './counters.ts';

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

/** The UTC day of an ISO timestamp. */
export const dayOf = (at: string): string => new Date(at).toISOString().slice(0, 10);
const monthOfDay = (day: string): string => day.slice(0, 7);

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

// ---------------------------------------------------------------------------------------------
// Reading

/** A reporting period: whole UTC days, both ends included. */
export interface Period {
  from: string;
  to: string;
}

export interface Rate {
  count: number;
  of: number;
  /** `count / of`, or null when `of` is 0. */
  rate: number | null;
}

export interface MoneyTotal {
  currency: string;
  amountMinor: number;
}

export interface Cohort {
  /** First-order month. */
  month: string;
  customers: number;
  /** Index i is k = i + 1 months after the first-order month, up to the period's last month. */
  retained: Rate[];
}

export interface Kpis {
  period: Period;
  /** Contacts created in the period. */
  newContacts: number;
  /** Contacts whose first `form.submitted` falls in the period. */
  newLeads: number;
  /** Of the period's new leads, those whose first order came at or after their first form (as the counters stand now). */
  leadToCustomer: Rate;
  /**
   * Net revenue in the period (order totals minus refunds, each on its own day) in the reported
   * currency: `options.currency`, else the one with the largest net revenue. `others` lists the
   * other currencies' net revenue; amounts are never converted.
   */
  revenue: {
    currency: string | null;
    netMinor: number;
    salesMinor: number;
    refundsMinor: number;
    others: MoneyTotal[];
  };
  /** Orders placed in the period, all currencies. */
  orders: number;
  /** Order totals before refunds / orders, in the reported currency only; null without orders. */
  averageOrderValueMinor: number | null;
  /** Customers with ≥ 2 orders / customers (≥ 1 order), both counted from the start up to the period's end. */
  repeatPurchase: Rate;
  /**
   * `subscription.cancelled` in the period / active subscriptions at its start (started minus
   * cancelled before `from`). Subscriptions started and cancelled within the period count in the
   * numerator only, so the rate can exceed 1; null when none were active at the start.
   */
  churn: Rate;
  /** Customers by first-order month × months since; each cell: share who ordered in that month. */
  cohorts: Cohort[];
  /**
   * Historic CLV: net revenue in the reported currency / customers, both from the start up to the
   * period's end. Customers are counted in every currency, so a multi-currency shop understates it.
   */
  historicClvMinor: number | null;
  /** Each response counts: (promoters 9–10 − detractors 0–6) / responses × 100; null without responses. */
  nps: { responses: number; promoters: number; detractors: number; score: number | null };
  /** Events in the period, each rate over `email.sent` in the period (opens and clicks count every event, not unique). */
  email: {
    sent: number;
    delivered: Rate;
    opened: Rate;
    clicked: Rate;
    unsubscribed: Rate;
    bounced: Rate;
    complained: Rate;
  };
}

/**
 * The counter keys `kpisFrom` reads for a period: every month from `sinceMonth` (the first month
 * with data) before the period's last month, every day from the first of `from`'s month to `to`,
 * and the cohort items up to the period's last month.
 */
export function counterKeysFor(period: Period, sinceMonth: string): string[] {
  const lastMonth = monthOfDay(period.to);
  const keys: string[] = [];
  for (let m = sinceMonth; m < lastMonth; m = addMonths(m, 1)) keys.push(monthKey(m));
  for (let m = sinceMonth; m <= lastMonth; m = addMonths(m, 1)) keys.push(cohortKey(m));
  for (let d = `${monthOfDay(period.from)}-01`; d <= period.to; d = addDays(d, 1)) keys.push(dayKey(d));
  return keys;
}

/** Computes every KPI for a period from the counter items listed by {@link counterKeysFor}. */
export function kpisFrom(counters: Counters, period: Period, options: { currency?: string } = {}): Kpis {
  const inPeriod = (field: string) => sumDays(counters, period.from, period.to, field);
  const upTo = (day: string, field: string) => cumulative(counters, day, field);

  const currencies = currenciesIn(counters);
  const net = (cur: string) => inPeriod(`sales_${cur}`) - inPeriod(`refunds_${cur}`);
  const active = currencies.filter((cur) => inPeriod(`sales_${cur}`) !== 0 || inPeriod(`refunds_${cur}`) !== 0);
  const currency =
    options.currency ?? [...active].sort((a, b) => net(b) - net(a) || cmp(a, b))[0] ?? currencies[0] ?? null;

  const sent = inPeriod('email_sent');
  const overSent = (field: string) => rate(inPeriod(field), sent);
  const responses = inPeriod('nps_responses');
  const promoters = inPeriod('nps_promoters');
  const detractors = inPeriod('nps_detractors');
  const customersToDate = upTo(period.to, 'customers_new');
  const netToDate = currency ? upTo(period.to, `sales_${currency}`) - upTo(period.to, `refunds_${currency}`) : 0;
  const currencyOrders = currency ? inPeriod(`orders_${currency}`) : 0;

  return {
    period,
    newContacts: inPeriod('contacts_new'),
    newLeads: inPeriod('leads_new'),
    leadToCustomer: rate(inPeriod('leads_converted'), inPeriod('leads_new')),
    revenue: {
      currency,
      netMinor: currency ? net(currency) : 0,
      salesMinor: currency ? inPeriod(`sales_${currency}`) : 0,
      refundsMinor: currency ? inPeriod(`refunds_${currency}`) : 0,
      others: active.filter((cur) => cur !== currency).map((cur) => ({ currency: cur, amountMinor: net(cur) })),
    },
    orders: inPeriod('orders'),
    averageOrderValueMinor: currency && currencyOrders > 0 ? inPeriod(`sales_${currency}`) / currencyOrders : null,
    repeatPurchase: rate(upTo(period.to, 'customers_repeat'), customersToDate),
    churn: rate(
      inPeriod('subs_cancelled'),
      before(counters, period.from, 'subs_started') - before(counters, period.from, 'subs_cancelled'),
    ),
    cohorts: cohortsFrom(counters, monthOfDay(period.to)),
    historicClvMinor: customersToDate > 0 && currency ? netToDate / customersToDate : null,
    nps: {
      responses,
      promoters,
      detractors,
      score: responses > 0 ? ((promoters - detractors) / responses) * 100 : null,
    },
    email: {
      sent,
      delivered: overSent('email_delivered'),
      opened: overSent('email_opened'),
      clicked: overSent('email_clicked'),
      unsubscribed: overSent('email_unsubscribed'),
      bounced: overSent('email_bounced'),
      complained: overSent('email_complained'),
    },
  };
}

function cohortsFrom(counters: Counters, lastMonth: string): Cohort[] {
  const prefix = cohortKey('');
  return Object.keys(counters)
    .filter((key) => key.startsWith(prefix) && key.slice(prefix.length) <= lastMonth)
    .sort()
    .map((key) => {
      const month = key.slice(prefix.length);
      const item = counters[key] ?? {};
      const customers = item.customers ?? 0;
      const retained: Rate[] = [];
      for (let k = 1; k <= monthsBetween(month, lastMonth); k++) retained.push(rate(item[`m${k}`] ?? 0, customers));
      return { month, customers, retained };
    });
}

function rate(count: number, of: number): Rate {
  return { count, of, rate: of > 0 ? count / of : null };
}

function sumDays(counters: Counters, from: string, to: string, field: string): number {
  let total = 0;
  for (let d = from; d <= to; d = addDays(d, 1)) total += counters[dayKey(d)]?.[field] ?? 0;
  return total;
}

/** The field's total over every month before `day`'s month. */
function earlierMonths(counters: Counters, day: string, field: string): number {
  const month = monthOfDay(day);
  const prefix = monthKey('');
  let total = 0;
  for (const [key, item] of Object.entries(counters)) {
    if (key.startsWith(prefix) && key.slice(prefix.length) < month) total += item[field] ?? 0;
  }
  return total;
}

/** The field's total from the beginning up to and including `day`: earlier months, then that month's days. */
function cumulative(counters: Counters, day: string, field: string): number {
  return earlierMonths(counters, day, field) + sumDays(counters, `${monthOfDay(day)}-01`, day, field);
}

/** The field's total from the beginning up to, not including, `day`. */
function before(counters: Counters, day: string, field: string): number {
  return earlierMonths(counters, day, field) + sumDays(counters, `${monthOfDay(day)}-01`, addDays(day, -1), field);
}

function currenciesIn(counters: Counters): string[] {
  const found = new Set<string>();
  for (const item of Object.values(counters)) {
    for (const field of Object.keys(item)) {
      const match = /^(?:sales|refunds)_([A-Z]{3})$/.exec(field);
      if (match?.[1]) found.add(match[1]);
    }
  }
  return [...found].sort();
}

function money(value: unknown): { amountMinor: number; currency: string } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { amountMinor, currency } = value as { amountMinor?: unknown; currency?: unknown };
  return typeof amountMinor === 'number' && typeof currency === 'string' ? { amountMinor, currency } : undefined;
}

const earliest = (a: string | undefined, b: string): string => (a !== undefined && a <= b ? a : b);
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function addDays(day: string, n: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + n);
  return date.toISOString().slice(0, 10);
}

function addMonths(month: string, n: number): string {
  const [y = 0, m = 1] = month.split('-').map(Number);
  const index = y * 12 + (m - 1) + n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

function monthsBetween(from: string, to: string): number {
  const [fy = 0, fm = 0] = from.split('-').map(Number);
  const [ty = 0, tm = 0] = to.split('-').map(Number);
  return (ty - fy) * 12 + (tm - fm);
}
