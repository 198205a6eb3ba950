/**
 * Lifecycle scores for the contact page: RFM, churn risk, lead score and loyalty status.
 *
 * Every function is pure: time comes in as `now`, and each result carries `explanation`, plain
 * sentences that say which numbers and which thresholds produced it. Events are the contact's
 * timeline in any order; duplicates (same `eventId`) count once, and events after `now` are ignored
 * by the time-based scores, so a score can be computed "as of" any past moment.
 */
import { assertUnreachable } from '#core/assert.ts';
import { toMinorUnits } from '#core/canonical-event.ts';
import {
  type Contact,
  type EventName,
  STORED_SCORE_NAMES,
  type StoredScores,
  type TimelineEvent,
} from '#core/contact.ts';

const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------------
// RFM

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

// ---------------------------------------------------------------------------------------------
// Churn risk

export interface ChurnOptions {
  /** Assumed gap between orders, in days, when there is only one order. */
  defaultCadenceDays: number;
  /** Ratio (days since last order ÷ usual gap) from which the level is medium. */
  mediumAtRatio: number;
  /** Ratio from which the level is high. */
  highAtRatio: number;
}

/** Defaults: a 60-day cadence for one-order customers; medium from 1.5×, high from 2× the gap. */
export const DEFAULT_CHURN_OPTIONS: ChurnOptions = { defaultCadenceDays: 60, mediumAtRatio: 1.5, highAtRatio: 2 };

export type ChurnLevel = 'low' | 'medium' | 'high';

export type ChurnRisk =
  | { level: 'not a customer'; explanation: string[] }
  | {
      level: ChurnLevel;
      /** In [0, 1], rounded to two decimals. */
      risk: number;
      /** Days since the last order ÷ cadence, rounded to two decimals. */
      ratio: number;
      cadenceDays: number;
      /** `median`: the median gap between this customer's orders; `default`: one order only. */
      cadenceFrom: 'median' | 'default';
      daysSinceLastOrder: number;
      orders: number;
      explanation: string[];
    };

/** The days between consecutive orders, and the usual gap: their median (at least a day), or the default for one order. */
function cadenceOf(orders: readonly Order[], defaultDays: number): { gaps: number[]; cadence: number } {
  const gaps = orders.slice(1).map((order, i) => (order.at - (orders[i] as Order).at) / DAY_MS);
  return { gaps, cadence: gaps.length ? Math.max(1, median(gaps)) : defaultDays };
}

/**
 * How overdue the customer's next order is, measured against their own cadence: the MEDIAN gap
 * between consecutive orders (robust to one long pause), at least one day; with a single order
 * `defaultCadenceDays`. Ratio = whole days since the last order ÷ cadence; risk = (ratio − 1) ÷ 2
 * clamped to [0, 1] (0 while on schedule, 0.5 at twice the gap, 1 from three times). Level: high
 * from `highAtRatio`, medium from `mediumAtRatio`, otherwise low. No orders: "not a customer".
 */
export function churnRisk(events: readonly TimelineEvent[], now: Date, options: Partial<ChurnOptions> = {}): ChurnRisk {
  const o = { ...DEFAULT_CHURN_OPTIONS, ...options };
  const orders = ordersUpTo(events, now);
  const last = orders.at(-1);
  if (!last) return { level: 'not a customer', explanation: ['No orders yet → not a customer'] };

  const days = wholeDays(now.getTime() - last.at);
  const { gaps, cadence } = cadenceOf(orders, o.defaultCadenceDays);
  const cadenceFrom = gaps.length ? 'median' : 'default';
  const ratio = days / cadence;
  const risk = round2(Math.min(1, Math.max(0, (ratio - 1) / 2)));
  const level: ChurnLevel = ratio >= o.highAtRatio ? 'high' : ratio >= o.mediumAtRatio ? 'medium' : 'low';

  const usual =
    cadenceFrom === 'median'
      ? `Orders every ${plural(round1(cadence), 'day')} (median of ${plural(gaps.length, 'gap')} between ${orders.length} orders)`
      : `One order so far; assuming an order every ${plural(cadence, 'day')}`;
  const bound =
    level === 'high'
      ? `≥ ${o.highAtRatio}×`
      : level === 'medium'
        ? `≥ ${o.mediumAtRatio}×, < ${o.highAtRatio}×`
        : `< ${o.mediumAtRatio}×`;
  return {
    level,
    risk,
    ratio: round2(ratio),
    cadenceDays: cadence,
    cadenceFrom,
    daysSinceLastOrder: days,
    orders: orders.length,
    explanation: [
      `${usual}; last order ${daysAgo(days)}, ${round1(ratio)}× the usual gap → ${level} (${bound})`,
      `Risk ${risk}: 0 within the usual gap, rising to 1 at three times it`,
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Lead score

/** A test on one field of an event's data. */
export interface DataTest {
  field: string;
  gte?: number;
  lte?: number;
  /** Case-insensitive substring of a string value. */
  includes?: string;
}

export type LeadMatch =
  /** Events of one name whose data passes `where`; with `latest`, only the newest such event is looked at. */
  | { kind: 'event'; event: EventName; where?: DataTest; latest?: boolean }
  /** `form.submitted` events with one of `names` filled, or any string field containing one of `valueIncludes`. */
  | { kind: 'form-field'; names?: string[]; valueIncludes?: string[] }
  /** The contact left all marketing mail (`unsubscribedAt`, or a `contact.unsubscribed` event). */
  | { kind: 'unsubscribed' }
  /** The contact carries the tag. */
  | { kind: 'tag'; tag: string };

export interface LeadRule {
  /** Stable id; shown with the points and usable to override a default rule. */
  id: string;
  description: string;
  /** Points per occurrence (`each`) or for the rule (`once`); negative subtracts. */
  points: number;
  match: LeadMatch;
  /** Default `once`. */
  count?: 'once' | 'each';
  /** Largest absolute number of points the rule can contribute. */
  max?: number;
}

/**
 * Defaults: form submitted +10 (once); each email open +1 (up to 10); each click +3 (up to 15);
 * a pricing-page or lead-magnet form (a `leadMagnet`/`lead_magnet` field, or a field value
 * mentioning "pricing") +15; checkout started +10; latest NPS 9–10 +10, 0–6 −10; unsubscribed
 * −20; spam complaint −30.
 */
export const DEFAULT_LEAD_RULES: readonly LeadRule[] = [
  {
    id: 'form-submitted',
    description: 'Submitted a form',
    points: 10,
    match: { kind: 'event', event: 'form.submitted' },
  },
  {
    id: 'email-opened',
    description: 'Opened an email',
    points: 1,
    count: 'each',
    max: 10,
    match: { kind: 'event', event: 'email.opened' },
  },
  {
    id: 'email-clicked',
    description: 'Clicked a link in an email',
    points: 3,
    count: 'each',
    max: 15,
    match: { kind: 'event', event: 'email.clicked' },
  },
  {
    id: 'high-intent-form',
    description: 'Submitted a pricing-page or lead-magnet form',
    points: 15,
    match: { kind: 'form-field', names: ['leadMagnet', 'lead_magnet'], valueIncludes: ['pricing'] },
  },
  {
    id: 'checkout-started',
    description: 'Started a checkout',
    points: 10,
    match: { kind: 'event', event: 'checkout.started' },
  },
  {
    id: 'nps-promoter',
    description: 'Latest NPS answer is 9 or 10 (promoter)',
    points: 10,
    match: { kind: 'event', event: 'nps.responded', where: { field: 'score', gte: 9 }, latest: true },
  },
  {
    id: 'nps-detractor',
    description: 'Latest NPS answer is 0 to 6 (detractor)',
    points: -10,
    match: { kind: 'event', event: 'nps.responded', where: { field: 'score', lte: 6 }, latest: true },
  },
  { id: 'unsubscribed', description: 'Unsubscribed from marketing mail', points: -20, match: { kind: 'unsubscribed' } },
  {
    id: 'email-complained',
    description: 'Marked an email as spam',
    points: -30,
    match: { kind: 'event', event: 'email.complained' },
  },
];

export interface AppliedLeadRule {
  id: string;
  description: string;
  /** How many times the rule matched. */
  occurrences: number;
  /** What it contributed, after `count` and `max`. */
  points: number;
}

export interface LeadScore {
  total: number;
  applied: AppliedLeadRule[];
  explanation: string[];
}

/**
 * Sums the points of every rule that matches (defaults in {@link DEFAULT_LEAD_RULES}; pass a full
 * list to override, e.g. `DEFAULT_LEAD_RULES.map(...)`). The total is not clamped and can be
 * negative. Engagement is not decayed: pass only the events that should count.
 */
export function leadScore(
  contact: Contact,
  events: readonly TimelineEvent[],
  rules: readonly LeadRule[] = DEFAULT_LEAD_RULES,
): LeadScore {
  const timeline = chronological(events);
  const applied: AppliedLeadRule[] = [];
  const explanation: string[] = [];
  for (const rule of rules) {
    const occurrences = countMatches(rule.match, contact, timeline);
    if (occurrences === 0) continue;
    const each = rule.count === 'each';
    const raw = each ? occurrences * rule.points : rule.points;
    const points = rule.max === undefined ? raw : Math.sign(raw) * Math.min(Math.abs(raw), rule.max);
    applied.push({ id: rule.id, description: rule.description, occurrences, points });
    const capped = points !== raw ? `, capped at ${signed(points)}` : '';
    explanation.push(
      each
        ? `${rule.description}: ${occurrences} × ${signed(rule.points)} = ${signed(raw)}${capped}`
        : `${rule.description}${occurrences > 1 ? ` (${occurrences} times, counted once)` : ''}: ${signed(points)}`,
    );
  }
  const total = sum(applied.map((a) => a.points));
  explanation.push(
    applied.length ? `Lead score ${group(total)} from ${plural(applied.length, 'rule')}` : 'No lead rule applies → 0',
  );
  return { total, applied, explanation };
}

function countMatches(match: LeadMatch, contact: Contact, events: readonly TimelineEvent[]): number {
  switch (match.kind) {
    case 'event': {
      const named = events.filter((e) => e.name === match.event);
      const looked = match.latest ? named.slice(-1) : named;
      return looked.filter((e) => !match.where || passes(e.data, match.where)).length;
    }
    case 'form-field':
      return events.filter((e) => e.name === 'form.submitted' && formMatches(e.data, match)).length;
    case 'unsubscribed':
      return contact.unsubscribedAt || events.some((e) => e.name === 'contact.unsubscribed') ? 1 : 0;
    case 'tag':
      return contact.tags?.includes(match.tag) ? 1 : 0;
    default:
      return assertUnreachable(match);
  }
}

function passes(data: Record<string, unknown>, test: DataTest): boolean {
  const value = data[test.field];
  if (test.gte !== undefined && !(typeof value === 'number' && value >= test.gte)) return false;
  if (test.lte !== undefined && !(typeof value === 'number' && value <= test.lte)) return false;
  if (test.includes !== undefined) {
    return typeof value === 'string' && value.toLowerCase().includes(test.includes.toLowerCase());
  }
  return value !== undefined;
}

function formMatches(data: Record<string, unknown>, match: { names?: string[]; valueIncludes?: string[] }): boolean {
  const fields = data.fields;
  if (!fields || typeof fields !== 'object') return false;
  return Object.entries(fields as Record<string, unknown>).some(
    ([name, value]) =>
      (match.names?.includes(name) && value !== null && value !== '' && value !== false) ||
      (typeof value === 'string' &&
        (match.valueIncludes ?? []).some((word) => value.toLowerCase().includes(word.toLowerCase()))),
  );
}

// ---------------------------------------------------------------------------------------------
// Loyalty

export type LoyaltyTier = 'none' | 'silver' | 'gold';

/** Points from which each tier starts. */
export interface LoyaltyThresholds {
  silver: number;
  gold: number;
}

/** The loyalty journey's thresholds (workflows/journeys/loyalty.json): silver ≥ 300, gold ≥ 1000. */
export const DEFAULT_LOYALTY_THRESHOLDS: LoyaltyThresholds = { silver: 300, gold: 1_000 };

export interface LoyaltyStatus {
  points: number;
  tier: LoyaltyTier;
  next: { tier: 'silver' | 'gold'; pointsNeeded: number } | null;
  explanation: string[];
}

/**
 * Reads `loyaltyPoints` and `loyaltyTier`, which the loyalty journey keeps. The tier is the higher
 * of the stored one and the one the points earn (the journey may not have run since the last
 * order; it never downgrades).
 */
export function loyaltyStatus(
  contact: Contact,
  thresholds: LoyaltyThresholds = DEFAULT_LOYALTY_THRESHOLDS,
): LoyaltyStatus {
  const raw = contact.properties.loyaltyPoints;
  const points = typeof raw === 'number' && Number.isFinite(raw) ? raw : 0;
  const stored = contact.properties.loyaltyTier;
  const storedTier: LoyaltyTier = stored === 'gold' || stored === 'silver' ? stored : 'none';
  const earned: LoyaltyTier = points >= thresholds.gold ? 'gold' : points >= thresholds.silver ? 'silver' : 'none';
  const rank = { none: 0, silver: 1, gold: 2 } as const;
  const tier = rank[storedTier] >= rank[earned] ? storedTier : earned;

  const explanation = [
    earned === 'none'
      ? `${plural(points, 'point')} → no tier yet`
      : `${plural(points, 'point')} → ${earned} (≥ ${group(thresholds[earned])})`,
  ];
  if (tier !== earned) explanation.push(`Tier ${tier} kept from the loyalty journey`);
  else if (storedTier !== tier) explanation.push(`The loyalty journey has not recorded ${tier} yet`);

  const nextTier: 'silver' | 'gold' | null = tier === 'none' ? 'silver' : tier === 'silver' ? 'gold' : null;
  const next = nextTier ? { tier: nextTier, pointsNeeded: Math.max(0, thresholds[nextTier] - points) } : null;
  explanation.push(
    next
      ? `${plural(next.pointsNeeded, 'point')} to ${next.tier} (${group(thresholds[next.tier])})`
      : 'Highest tier reached',
  );
  return { points, tier, next, explanation };
}

// ---------------------------------------------------------------------------------------------
// All four

export interface ContactScores {
  rfm: RfmResult;
  churn: ChurnRisk;
  lead: LeadScore;
  loyalty: LoyaltyStatus;
}

export interface ScoreOptions {
  rfm?: Partial<RfmThresholds>;
  churn?: Partial<ChurnOptions>;
  leadRules?: readonly LeadRule[];
  loyalty?: LoyaltyThresholds;
}

/** Every score for the contact page, as of `now`. Lead rules see only events up to `now`. */
export function scoreContact(
  contact: Contact,
  events: readonly TimelineEvent[],
  now: Date,
  options: ScoreOptions = {},
): ContactScores {
  const past = events.filter((e) => Date.parse(e.at) <= now.getTime());
  return {
    rfm: rfmScore(past, now, options.rfm),
    churn: churnRisk(past, now, options.churn),
    lead: leadScore(contact, past, options.leadRules),
    loyalty: loyaltyStatus(contact, options.loyalty),
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers

interface Money {
  amountMinor: number;
  currency: string;
}

interface Order {
  at: number;
  total: Money | undefined;
}

/** Distinct events (by id) at a parseable time, oldest first; stable for equal times. */
function chronological(events: readonly TimelineEvent[]): TimelineEvent[] {
  const seen = new Set<string>();
  const out: TimelineEvent[] = [];
  for (const e of events) {
    if (seen.has(e.eventId) || Number.isNaN(Date.parse(e.at))) continue;
    seen.add(e.eventId);
    out.push(e);
  }
  return out.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

function ordersUpTo(events: readonly TimelineEvent[], now: Date): Order[] {
  return chronological(events)
    .filter((e) => e.name === 'order.placed' && Date.parse(e.at) <= now.getTime())
    .map((e) => ({ at: Date.parse(e.at), total: asMoney(e.data.total) }));
}

function refundsUpTo(events: readonly TimelineEvent[], now: Date): Money[] {
  return chronological(events)
    .filter((e) => e.name === 'order.refunded' && Date.parse(e.at) <= now.getTime())
    .flatMap((e) => asMoney(e.data.amount) ?? []);
}

function asMoney(value: unknown): Money | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const { amountMinor, currency } = value as Record<string, unknown>;
  return Number.isInteger(amountMinor) && typeof currency === 'string' && currency
    ? { amountMinor: amountMinor as number, currency: currency.toUpperCase() }
    : undefined;
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

function wholeDays(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

function daysAgo(days: number): string {
  return days === 0 ? 'today' : `${plural(days, 'day')} ago`;
}

function plural(n: number, word: string): string {
  return `${group(n)} ${word}${n === 1 ? '' : 's'}`;
}

function signed(n: number): string {
  return n < 0 ? `−${-n}` : `+${n}`;
}

/** 1234567.5 → "1,234,567.5"; locale-independent so explanations are stable. */
function group(n: number): string {
  const [whole = '', fraction] = String(Math.abs(n)).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${n < 0 ? '−' : ''}${grouped}${fraction ? `.${fraction}` : ''}`;
}

function money(minor: number, currency: string): string {
  const unit = toMinorUnits(1, currency).amountMinor;
  const digits = String(unit).length - 1;
  const abs = Math.abs(minor);
  const fraction = digits ? `.${String(abs % unit).padStart(digits, '0')}` : '';
  return `${minor < 0 ? '−' : ''}${group(Math.floor(abs / unit))}${fraction} ${currency}`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

// ---------------------------------------------------------------------------------------------
// Stored scores: what segments and journey conditions read as `scores.<name>`

/** The score values kept on the contact, so rules can test them (`scores.churnRisk eq "high"`). */
// A type, not an interface: it must fit the conditions' `Record<string, Scalar>`.

export const storedScores = (s: ContactScores): StoredScores => ({
  rfm: s.rfm.segment,
  churnRisk: s.churn.level,
  leadScore: s.lead.total,
  loyaltyTier: s.loyalty.tier,
});

const sameScores = (a: StoredScores, b: StoredScores) => STORED_SCORE_NAMES.every((k) => a[k] === b[k]);

/**
 * The next moment time alone changes a stored score: recency and churn risk move as days pass
 * since the last order, at known day counts (each RFM recency boundary, and the churn ratios
 * against the customer's cadence). Undefined for a contact with no orders (nothing moves until
 * an event comes). Checked at each candidate day, so it is exact for any thresholds.
 */
export function nextScoreChange(
  contact: Contact,
  events: readonly TimelineEvent[],
  now: Date,
  options: ScoreOptions = {},
): Date | undefined {
  const orders = ordersUpTo(events, now);
  const last = orders.at(-1);
  if (!last) return undefined;
  const rfm = { ...DEFAULT_RFM_THRESHOLDS, ...options.rfm };
  const churn = { ...DEFAULT_CHURN_OPTIONS, ...options.churn };
  const { cadence } = cadenceOf(orders, churn.defaultCadenceDays);
  const days = [
    ...rfm.recencyDays.map((d) => d + 1),
    Math.ceil(churn.mediumAtRatio * cadence),
    Math.ceil(churn.highAtRatio * cadence),
  ]
    .filter((d, i, all) => all.indexOf(d) === i)
    .sort((a, b) => a - b);
  const current = storedScores(scoreContact(contact, events, now, options));
  for (const d of days) {
    const at = last.at + d * DAY_MS;
    if (at <= now.getTime()) continue;
    if (!sameScores(current, storedScores(scoreContact(contact, events, new Date(at), options)))) return new Date(at);
  }
  return undefined;
}
