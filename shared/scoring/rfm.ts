import { toMinorUnits } from '#core/canonical-event.ts';
import type { TimelineEvent } from '#core/contact.ts';
import { daysAgo, money, plural } from './explain.ts';
import { sum } from './math.ts';
import { type Order, ordersUpTo, refundsUpTo, wholeDays } from './timeline.ts';

/** Score boundaries for 5, 4, 3 and 2 (in that order); anything beyond the last one scores 1. */
export type Boundaries = readonly [number, number, number, number];

export interface RfmThresholds {
  /** Most days since the last order for recency 5, 4, 3, 2; older scores 1. */
  recencyDays: Boundaries;
  /** Fewest orders for frequency 5, 4, 3, 2; fewer scores 1. */
  frequencyOrders: Boundaries;
  /** Smallest net revenue, in major units of the main currency, for monetary 5, 4, 3, 2. */
  monetaryMajor: Boundaries;
}

/**
 * Defaults: recency ≤ 30 / 90 / 180 / 365 days; frequency ≥ 10 / 5 / 3 / 2 orders; monetary
 * ≥ 1,000.00 / 500.00 / 200.00 / 50.00 in the main currency (converted with the currency's own
 * minor digits, so 1,000 JPY is 1000 minor units and 1,000.00 EUR is 100000).
 */
export const DEFAULT_RFM_THRESHOLDS: RfmThresholds = {
  recencyDays: [30, 90, 180, 365],
  frequencyOrders: [10, 5, 3, 2],
  monetaryMajor: [1_000, 500, 200, 50],
};

export type RfmSegment =
  | 'champion'
  | 'loyal'
  | 'at risk'
  | 'new'
  | 'promising'
  | 'needs attention'
  | 'hibernating'
  | 'prospect';

export type Score = 1 | 2 | 3 | 4 | 5;

export type RfmResult =
  | { segment: 'prospect'; orders: 0; explanation: string[] }
  | {
      segment: Exclude<RfmSegment, 'prospect'>;
      recency: Score;
      frequency: Score;
      monetary: Score;
      daysSinceLastOrder: number;
      orders: number;
      /** Orders minus refunds in `currency`, in minor units. */
      netRevenueMinor: number;
      /** The main currency: the one most orders were placed in. */
      currency: string;
      explanation: string[];
    };

interface RfmScores {
  r: Score;
  f: Score;
  m: Score;
}

/** First match wins; the rule text is shown on the contact page. */
const SEGMENTS: { segment: Exclude<RfmSegment, 'prospect'>; rule: string; test: (s: RfmScores) => boolean }[] = [
  {
    segment: 'champion',
    rule: 'recency ≥ 4, frequency ≥ 4 and monetary ≥ 4',
    test: (s) => s.r >= 4 && s.f >= 4 && s.m >= 4,
  },
  { segment: 'loyal', rule: 'recency ≥ 3 and frequency ≥ 3', test: (s) => s.r >= 3 && s.f >= 3 },
  {
    segment: 'at risk',
    rule: 'recency ≤ 2 with frequency ≥ 3 or monetary ≥ 4',
    test: (s) => s.r <= 2 && (s.f >= 3 || s.m >= 4),
  },
  { segment: 'new', rule: 'a single order and recency ≥ 4', test: (s) => s.f === 1 && s.r >= 4 },
  { segment: 'promising', rule: 'recency ≥ 4 with few orders', test: (s) => s.r >= 4 },
  { segment: 'needs attention', rule: 'recency 3 with few orders', test: (s) => s.r === 3 },
  { segment: 'hibernating', rule: 'recency ≤ 2 with few orders and low spend', test: () => true },
];

/**
 * Recency, frequency and monetary value from `order.placed` and `order.refunded` events up to
 * `now`, each scored 1–5 against `thresholds` (defaults in {@link DEFAULT_RFM_THRESHOLDS}).
 *
 * - Recency: whole days from the last order to `now`.
 * - Frequency: orders placed (a refunded order still counts as placed).
 * - Monetary: order totals minus refunds in the main currency (the one with the most orders; ties
 *   go to the larger total, then alphabetical). Orders and refunds in other currencies are left
 *   out of monetary only, and the explanation says so.
 *
 * Segments, first match wins: champion (R ≥ 4, F ≥ 4, M ≥ 4); loyal (R ≥ 3, F ≥ 3); at risk
 * (R ≤ 2 and F ≥ 3 or M ≥ 4); new (one order, R ≥ 4); promising (R ≥ 4); needs attention (R = 3);
 * hibernating (the rest); prospect (no orders).
 */
export function rfmScore(
  events: readonly TimelineEvent[],
  now: Date,
  thresholds: Partial<RfmThresholds> = {},
): RfmResult {
  const t = { ...DEFAULT_RFM_THRESHOLDS, ...thresholds };
  const orders = ordersUpTo(events, now);
  const last = orders.at(-1);
  if (!last) return { segment: 'prospect', orders: 0, explanation: ['No orders yet → prospect'] };

  const days = wholeDays(now.getTime() - last.at);
  const r = scoreAtMost(days, t.recencyDays);
  const f = scoreAtLeast(orders.length, t.frequencyOrders);

  const currency = mainCurrency(orders);
  const ordered = sum(orders.filter((o) => o.total?.currency === currency).map((o) => o.total?.amountMinor ?? 0));
  const refunds = refundsUpTo(events, now);
  const refunded = sum(refunds.filter((m) => m.currency === currency).map((m) => m.amountMinor));
  const net = ordered - refunded;
  const monetaryMinor = t.monetaryMajor.map(
    (major) => toMinorUnits(major, currency).amountMinor,
  ) as unknown as Boundaries;
  const m = scoreAtLeast(net, monetaryMinor);

  const explanation = [
    `Last order ${daysAgo(days)} → recency ${r} (${atMostLabel(r, t.recencyDays, (d) => `${d} days`)})`,
    `${plural(orders.length, 'order')} → frequency ${f} (${atLeastLabel(f, t.frequencyOrders, (n) => `${n} orders`, 'fewer than')})`,
    `Net revenue ${money(net, currency)}${refunded ? ` (${money(ordered, currency)} ordered − ${money(refunded, currency)} refunded)` : ''} → monetary ${m} (${atLeastLabel(m, monetaryMinor, (n) => money(n, currency))})`,
  ];
  const foreignOrders = orders.filter((o) => o.total && o.total.currency !== currency).length;
  const foreignRefunds = refunds.filter((r) => r.currency !== currency).length;
  if (foreignOrders || foreignRefunds) {
    const parts = [
      foreignOrders ? plural(foreignOrders, 'order') : '',
      foreignRefunds ? plural(foreignRefunds, 'refund') : '',
    ];
    explanation.push(
      `${parts.filter(Boolean).join(' and ')} in other currencies left out of monetary (main currency ${currency})`,
    );
  }
  const scores = { r, f, m };
  const match = SEGMENTS.find((s) => s.test(scores)) ?? (SEGMENTS.at(-1) as (typeof SEGMENTS)[number]);
  explanation.push(`Segment ${match.segment}: ${match.rule}`);

  return {
    segment: match.segment,
    recency: r,
    frequency: f,
    monetary: m,
    daysSinceLastOrder: days,
    orders: orders.length,
    netRevenueMinor: net,
    currency,
    explanation,
  };
}

/** The currency with the most orders; ties go to the larger total, then alphabetical order. */
function mainCurrency(orders: readonly Order[]): string {
  const by = new Map<string, { count: number; total: number }>();
  for (const { total } of orders) {
    if (!total) continue;
    const entry = by.get(total.currency) ?? { count: 0, total: 0 };
    by.set(total.currency, { count: entry.count + 1, total: entry.total + total.amountMinor });
  }
  const ranked = [...by].sort(
    ([a, x], [b, y]) => y.count - x.count || y.total - x.total || (a < b ? -1 : a > b ? 1 : 0),
  );
  return ranked[0]?.[0] ?? 'USD';
}

function scoreAtMost(value: number, bounds: Boundaries): Score {
  const i = bounds.findIndex((b) => value <= b);
  return (i === -1 ? 1 : 5 - i) as Score;
}

function scoreAtLeast(value: number, bounds: Boundaries): Score {
  const i = bounds.findIndex((b) => value >= b);
  return (i === -1 ? 1 : 5 - i) as Score;
}

function atMostLabel(score: Score, bounds: Boundaries, show: (n: number) => string): string {
  return score === 1 ? `> ${show(bounds[3])}` : `≤ ${show(bounds[5 - score] as number)}`;
}

function atLeastLabel(score: Score, bounds: Boundaries, show: (n: number) => string, below = 'below'): string {
  return score === 1 ? `${below} ${show(bounds[3])}` : `≥ ${show(bounds[5 - score] as number)}`;
}
