import { describe, expect, it } from 'vitest';
import { rfmScore } from './rfm.ts';
import { ago, event, now, order, ordersEvery, refund } from './score-fixtures.ts';

describe('rfmScore', () => {
  it('calls a contact without orders a prospect', () => {
    const result = rfmScore([event('form.submitted', ago(3), { formId: 'f', fields: {} })], now);
    expect(result).toEqual({ segment: 'prospect', orders: 0, explanation: ['No orders yet → prospect'] });
  });

  it('scores a frequent, recent, big spender as a champion and subtracts refunds', () => {
    const events = [...ordersEvery(10, 10, 12, 15_000), refund(20, 6_550)];

    const result = rfmScore(events, now);

    expect(result).toEqual({
      segment: 'champion',
      recency: 5,
      frequency: 5,
      monetary: 5,
      daysSinceLastOrder: 12,
      orders: 10,
      netRevenueMinor: 143_450,
      currency: 'EUR',
      explanation: [
        'Last order 12 days ago → recency 5 (≤ 30 days)',
        '10 orders → frequency 5 (≥ 10 orders)',
        'Net revenue 1,434.50 EUR (1,500.00 EUR ordered − 65.50 EUR refunded) → monetary 5 (≥ 1,000.00 EUR)',
        'Segment champion: recency ≥ 4, frequency ≥ 4 and monetary ≥ 4',
      ],
    });
  });

  it.each([
    [30, 5],
    [31, 4],
    [90, 4],
    [91, 3],
    [180, 3],
    [181, 2],
    [365, 2],
    [366, 1],
  ])('scores a last order %i days ago as recency %i', (days, score) => {
    expect(rfmScore([order(days, 1_000)], now)).toMatchObject({ recency: score, daysSinceLastOrder: days });
  });

  it('counts whole days: 30.9 days ago is still 30', () => {
    expect(rfmScore([order(30.9, 1_000)], now)).toMatchObject({ recency: 5, daysSinceLastOrder: 30 });
  });

  it.each([
    [1, 1],
    [2, 2],
    [3, 3],
    [4, 3],
    [5, 4],
    [9, 4],
    [10, 5],
  ])('scores %i orders as frequency %i', (count, score) => {
    expect(rfmScore(ordersEvery(count, 1, 1, 100), now)).toMatchObject({ frequency: score, orders: count });
  });

  it.each([
    [4_999, 1],
    [5_000, 2],
    [19_999, 2],
    [20_000, 3],
    [50_000, 4],
    [99_999, 4],
    [100_000, 5],
  ])('scores %i minor units as monetary %i', (amountMinor, score) => {
    expect(rfmScore([order(1, amountMinor)], now)).toMatchObject({ monetary: score, netRevenueMinor: amountMinor });
  });

  it('explains the lowest scores against the last boundary', () => {
    const result = rfmScore([order(400, 4_999)], now);
    expect(result.explanation).toEqual([
      'Last order 400 days ago → recency 1 (> 365 days)',
      '1 order → frequency 1 (fewer than 2 orders)',
      'Net revenue 49.99 EUR → monetary 1 (below 50.00 EUR)',
      'Segment hibernating: recency ≤ 2 with few orders and low spend',
    ]);
  });

  it('scores a fully refunded order as monetary 1', () => {
    const result = rfmScore([order(5, 30_000), refund(2, 30_000)], now);
    expect(result).toMatchObject({ monetary: 1, netRevenueMinor: 0 });
    expect(result.explanation[2]).toBe(
      'Net revenue 0.00 EUR (300.00 EUR ordered − 300.00 EUR refunded) → monetary 1 (below 50.00 EUR)',
    );
  });

  it('uses the currency with the most orders and says what it left out', () => {
    const events = [order(10, 20_000, 'EUR'), order(20, 20_000, 'EUR'), order(5, 90_000, 'usd'), refund(1, 500, 'USD')];

    const result = rfmScore(events, now);

    expect(result).toMatchObject({ currency: 'EUR', netRevenueMinor: 40_000, monetary: 3, orders: 3, recency: 5 });
    expect(result.explanation).toContain(
      '1 order and 1 refund in other currencies left out of monetary (main currency EUR)',
    );
  });

  it('converts monetary thresholds with the currency’s own minor digits', () => {
    const result = rfmScore([order(3, 1_000, 'JPY')], now);
    expect(result).toMatchObject({ monetary: 5, currency: 'JPY' });
    expect(result.explanation[2]).toBe('Net revenue 1,000 JPY → monetary 5 (≥ 1,000 JPY)');
  });

  it('ignores duplicate events and events after now', () => {
    const placed = order(10, 10_000);
    const future = event('order.placed', '2026-06-02T00:00:00Z', { total: { amountMinor: 10_000, currency: 'EUR' } });
    expect(rfmScore([placed, placed, future], now)).toMatchObject({ orders: 1, netRevenueMinor: 10_000 });
  });

  it('takes overridden thresholds and names them in the explanation', () => {
    const result = rfmScore(ordersEvery(3, 5, 40, 10_000), now, {
      recencyDays: [60, 120, 240, 480],
      frequencyOrders: [3, 2, 1, 0],
    });
    expect(result).toMatchObject({ recency: 5, frequency: 5, monetary: 3, segment: 'loyal' });
    expect(result.explanation.slice(0, 2)).toEqual([
      'Last order 40 days ago → recency 5 (≤ 60 days)',
      '3 orders → frequency 5 (≥ 3 orders)',
    ]);
  });

  it.each([
    ['new', [order(10, 1_000)]],
    ['promising', ordersEvery(2, 10, 10, 1_000)],
    ['loyal', ordersEvery(3, 30, 100, 1_000)],
    ['at risk', ordersEvery(5, 30, 200, 1_000)],
    ['at risk', [order(300, 60_000)]],
    ['needs attention', [order(100, 1_000)]],
    ['hibernating', ordersEvery(2, 30, 200, 1_000)],
  ])('segments as %s', (segment, events) => {
    expect(rfmScore(events, now).segment).toBe(segment);
  });
});
