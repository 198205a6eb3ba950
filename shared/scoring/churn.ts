import type { TimelineEvent } from '#core/contact.ts';
import { daysAgo, plural } from './explain.ts';
import { median, round1, round2 } from './math.ts';
import { DAY_MS, type Order, ordersUpTo, wholeDays } from './timeline.ts';

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
export function cadenceOf(orders: readonly Order[], defaultDays: number): { gaps: number[]; cadence: number } {
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
