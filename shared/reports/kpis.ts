import type { Counters } from './counters.ts';
import { cohortKey, dayKey, monthKey } from './kpi-counters.ts';
import { addDays, addMonths, cmp, monthOfDay, monthsBetween, type Period } from './kpi-periods.ts';

/**
 * The lifecycle KPIs of a period, computed from the counter items kpi-counters.ts keeps: which
 * items a period needs, and the figures drawn from them.
 */

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
   * numerator only, so the rate can exceed 1; null when none were active at the start. The base is
   * never below 0: a subscription started before the counters began counts only when cancelled.
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
      // Cancellations of subscriptions started before the counters began have no start to offset.
      Math.max(0, before(counters, period.from, 'subs_started') - before(counters, period.from, 'subs_cancelled')),
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
