import { describe, expect, it } from 'vitest';
import { churnRisk } from './churn.ts';
import { now, order, ordersEvery } from './score-fixtures.ts';

describe('churnRisk', () => {
  it('says a contact without orders is not a customer', () => {
    expect(churnRisk([], now)).toEqual({ level: 'not a customer', explanation: ['No orders yet → not a customer'] });
  });

  it('assumes a 60-day cadence after a single order', () => {
    expect(churnRisk([order(30, 1_000)], now)).toEqual({
      level: 'low',
      risk: 0,
      ratio: 0.5,
      cadenceDays: 60,
      cadenceFrom: 'default',
      daysSinceLastOrder: 30,
      orders: 1,
      explanation: [
        'One order so far; assuming an order every 60 days; last order 30 days ago, 0.5× the usual gap → low (< 1.5×)',
        'Risk 0: 0 within the usual gap, rising to 1 at three times it',
      ],
    });
  });

  it('rates a customer well past their own cadence as high risk', () => {
    const result = churnRisk(ordersEvery(4, 20, 50), now);
    expect(result).toMatchObject({ level: 'high', risk: 0.75, ratio: 2.5, cadenceDays: 20, cadenceFrom: 'median' });
    expect(result.explanation).toEqual([
      'Orders every 20 days (median of 3 gaps between 4 orders); last order 50 days ago, 2.5× the usual gap → high (≥ 2×)',
      'Risk 0.75: 0 within the usual gap, rising to 1 at three times it',
    ]);
  });

  it('uses the median gap, so one long pause does not stretch the cadence', () => {
    // Gaps 100, 10, 12: the mean would be 40.7, the median is 12. 18 days is exactly 1.5×.
    const events = [order(140, 1_000), order(40, 1_000), order(30, 1_000), order(18, 1_000)];
    expect(churnRisk(events, now)).toMatchObject({ level: 'medium', risk: 0.25, ratio: 1.5, cadenceDays: 12 });
  });

  it('averages the two middle gaps for an even count', () => {
    const events = [order(40, 1_000), order(30, 1_000), order(16, 1_000)];
    expect(churnRisk(events, now)).toMatchObject({ cadenceDays: 12, ratio: 1.33, level: 'low', risk: 0.17 });
  });

  it.each([
    [29, 'medium'],
    [30, 'high'],
  ])('at %i days after a 15-day cadence the level is %s', (days, level) => {
    expect(churnRisk(ordersEvery(3, 15, days), now)).toMatchObject({ level });
  });

  it('caps the risk at 1', () => {
    expect(churnRisk(ordersEvery(2, 10, 300), now)).toMatchObject({ risk: 1, ratio: 30, level: 'high' });
  });

  it('treats same-day orders as a one-day cadence instead of dividing by zero', () => {
    const result = churnRisk([order(5, 1_000), order(5, 1_000)], now);
    expect(result).toMatchObject({ cadenceDays: 1, ratio: 5, risk: 1, level: 'high' });
  });

  it('takes an overridden default cadence and level boundaries', () => {
    const result = churnRisk([order(30, 1_000)], now, { defaultCadenceDays: 20, mediumAtRatio: 1.2, highAtRatio: 3 });
    expect(result).toMatchObject({ level: 'medium', ratio: 1.5, risk: 0.25, cadenceDays: 20 });
    expect(result.explanation[0]).toBe(
      'One order so far; assuming an order every 20 days; last order 30 days ago, 1.5× the usual gap → medium (≥ 1.2×, < 3×)',
    );
  });
});
