import { describe, expect, it } from 'vitest';
import type { Contact, TimelineEvent } from '#core/contact.ts';
import {
  churnRisk,
  DEFAULT_LEAD_RULES,
  type LeadRule,
  leadScore,
  loyaltyStatus,
  rfmScore,
  scoreContact,
} from './scores.ts';

const now = new Date('2026-06-01T00:00:00Z');
const DAY = 86_400_000;

/** An ISO time `days` (may be fractional) before `now`. */
const ago = (days: number) => new Date(now.getTime() - days * DAY).toISOString();

let seq = 0;
const event = (name: TimelineEvent['name'], at: string, data: Record<string, unknown> = {}): TimelineEvent => ({
  eventId: `${name}:${at}:${seq++}`,
  contactId: 'c-1',
  name,
  at,
  data,
});
const order = (daysAgo: number, amountMinor: number, currency = 'EUR') =>
  event('order.placed', ago(daysAgo), { orderId: `o-${seq}`, total: { amountMinor, currency }, lineItems: [] });
const refund = (daysAgo: number, amountMinor: number, currency = 'EUR') =>
  event('order.refunded', ago(daysAgo), { orderId: 'o-1', refundId: `r-${seq}`, amount: { amountMinor, currency } });
/** Orders `gap` days apart, the last one `last` days ago. */
const ordersEvery = (count: number, gap: number, last: number, amountMinor = 10_000) =>
  Array.from({ length: count }, (_, i) => order(last + (count - 1 - i) * gap, amountMinor));

const contact = (overrides: Partial<Contact> = {}): Contact => ({
  contactId: 'c-1',
  email: 'ada@example.com',
  properties: {},
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  createdBy: 'inbox-1',
  ...overrides,
});

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

describe('leadScore', () => {
  it('gives an unengaged contact 0', () => {
    expect(leadScore(contact(), [])).toEqual({ total: 0, applied: [], explanation: ['No lead rule applies → 0'] });
  });

  it('adds up forms, capped opens and clicks, a pricing form and a promoter answer', () => {
    const events = [
      event('form.submitted', ago(20), { formId: 'newsletter', fields: { email: 'ada@example.com' } }),
      event('form.submitted', ago(10), { formId: 'demo', fields: { page: 'https://shop.example/Pricing' } }),
      ...Array.from({ length: 12 }, (_, i) => event('email.opened', ago(i + 1))),
      event('email.clicked', ago(3), { link: 'https://shop.example/blog' }),
      event('email.clicked', ago(2), { link: 'https://shop.example/blog' }),
      event('nps.responded', ago(1), { score: 9 }),
    ];

    const result = leadScore(contact(), events);

    expect(result.total).toBe(51);
    expect(result.applied).toEqual([
      { id: 'form-submitted', description: 'Submitted a form', occurrences: 2, points: 10 },
      { id: 'email-opened', description: 'Opened an email', occurrences: 12, points: 10 },
      { id: 'email-clicked', description: 'Clicked a link in an email', occurrences: 2, points: 6 },
      {
        id: 'high-intent-form',
        description: 'Submitted a pricing-page or lead-magnet form',
        occurrences: 1,
        points: 15,
      },
      { id: 'nps-promoter', description: 'Latest NPS answer is 9 or 10 (promoter)', occurrences: 1, points: 10 },
    ]);
    expect(result.explanation).toEqual([
      'Submitted a form (2 times, counted once): +10',
      'Opened an email: 12 × +1 = +12, capped at +10',
      'Clicked a link in an email: 2 × +3 = +6',
      'Submitted a pricing-page or lead-magnet form: +15',
      'Latest NPS answer is 9 or 10 (promoter): +10',
      'Lead score 51 from 5 rules',
    ]);
  });

  it('caps clicks at 15', () => {
    const clicks = Array.from({ length: 6 }, (_, i) => event('email.clicked', ago(i + 1)));
    expect(leadScore(contact(), clicks).total).toBe(15);
  });

  it('counts a lead-magnet field as high intent', () => {
    const form = event('form.submitted', ago(1), { formId: 'guide', fields: { leadMagnet: 'crm-checklist' } });
    expect(leadScore(contact(), [form]).applied.map((a) => a.id)).toEqual(['form-submitted', 'high-intent-form']);
  });

  it('judges NPS by the latest answer only', () => {
    const events = [event('nps.responded', ago(30), { score: 10 }), event('nps.responded', ago(2), { score: 3 })];
    const result = leadScore(contact(), events);
    expect(result.applied).toEqual([
      { id: 'nps-detractor', description: 'Latest NPS answer is 0 to 6 (detractor)', occurrences: 1, points: -10 },
    ]);
    expect(result.explanation).toEqual(['Latest NPS answer is 0 to 6 (detractor): −10', 'Lead score −10 from 1 rule']);
  });

  it('gives a passive NPS answer nothing', () => {
    expect(leadScore(contact(), [event('nps.responded', ago(2), { score: 8 })]).total).toBe(0);
  });

  it('subtracts 20 for an unsubscribed contact, whether from the profile or the timeline', () => {
    const opened = event('email.opened', ago(5));
    expect(leadScore(contact({ unsubscribedAt: ago(1) }), [opened]).total).toBe(-19);
    expect(leadScore(contact(), [opened, event('contact.unsubscribed', ago(1))]).total).toBe(-19);
  });

  it('subtracts 30 for a spam complaint and adds 10 for a started checkout', () => {
    const events = [event('checkout.started', ago(4), { cartId: 'c' }), event('email.complained', ago(1))];
    expect(leadScore(contact(), events).total).toBe(-20);
  });

  it('takes overridden and extra rules', () => {
    const rules: LeadRule[] = [
      ...DEFAULT_LEAD_RULES.map((rule) => (rule.id === 'email-opened' ? { ...rule, points: 2, max: 4 } : rule)),
      {
        id: 'pricing-click',
        description: 'Clicked through to pricing',
        points: 5,
        match: { kind: 'event', event: 'email.clicked', where: { field: 'link', includes: '/PRICING' } },
      },
      { id: 'vip', description: 'Tagged vip', points: 7, match: { kind: 'tag', tag: 'vip' } },
    ];
    const events = [
      ...Array.from({ length: 3 }, (_, i) => event('email.opened', ago(i + 1))),
      event('email.clicked', ago(1), { link: 'https://shop.example/pricing' }),
    ];

    const result = leadScore(contact({ tags: ['vip'] }), events, rules);

    expect(result.total).toBe(4 + 3 + 5 + 7);
    expect(result.explanation).toEqual([
      'Opened an email: 3 × +2 = +6, capped at +4',
      'Clicked a link in an email: 1 × +3 = +3',
      'Clicked through to pricing: +5',
      'Tagged vip: +7',
      'Lead score 19 from 4 rules',
    ]);
  });
});

describe('loyaltyStatus', () => {
  it('starts a contact without points with no tier, 300 points from silver', () => {
    expect(loyaltyStatus(contact())).toEqual({
      points: 0,
      tier: 'none',
      next: { tier: 'silver', pointsNeeded: 300 },
      explanation: ['0 points → no tier yet', '300 points to silver (300)'],
    });
  });

  it('reports silver at exactly 300 points and the distance to gold', () => {
    const status = loyaltyStatus(contact({ properties: { loyaltyPoints: 300, loyaltyTier: 'silver' } }));
    expect(status).toEqual({
      points: 300,
      tier: 'silver',
      next: { tier: 'gold', pointsNeeded: 700 },
      explanation: ['300 points → silver (≥ 300)', '700 points to gold (1,000)'],
    });
  });

  it('reports gold at 1,000 points as the highest tier', () => {
    const status = loyaltyStatus(contact({ properties: { loyaltyPoints: 1_000, loyaltyTier: 'gold' } }));
    expect(status).toMatchObject({ tier: 'gold', next: null });
    expect(status.explanation).toEqual(['1,000 points → gold (≥ 1,000)', 'Highest tier reached']);
  });

  it('gives the earned tier before the journey has recorded it', () => {
    const status = loyaltyStatus(contact({ properties: { loyaltyPoints: 1_050, loyaltyTier: 'silver' } }));
    expect(status).toMatchObject({ tier: 'gold', next: null });
    expect(status.explanation).toEqual([
      '1,050 points → gold (≥ 1,000)',
      'The loyalty journey has not recorded gold yet',
      'Highest tier reached',
    ]);
  });

  it('keeps a stored tier above what the points earn', () => {
    const status = loyaltyStatus(contact({ properties: { loyaltyPoints: 299, loyaltyTier: 'gold' } }));
    expect(status).toMatchObject({ tier: 'gold', points: 299, next: null });
    expect(status.explanation[1]).toBe('Tier gold kept from the loyalty journey');
  });

  it('ignores points that are not a number', () => {
    expect(loyaltyStatus(contact({ properties: { loyaltyPoints: 'lots' } }))).toMatchObject({
      points: 0,
      tier: 'none',
    });
  });

  it('takes overridden tier thresholds', () => {
    const status = loyaltyStatus(contact({ properties: { loyaltyPoints: 150 } }), { silver: 100, gold: 500 });
    expect(status).toMatchObject({ tier: 'silver', next: { tier: 'gold', pointsNeeded: 350 } });
  });
});

describe('scoreContact', () => {
  it('returns all four scores as of now', () => {
    const events = [
      event('form.submitted', ago(90), { formId: 'f', fields: {} }),
      order(60, 20_000),
      order(40, 15_000),
      event('email.opened', '2026-06-03T00:00:00Z'),
    ];
    const c = contact({ properties: { loyaltyPoints: 350, loyaltyTier: 'silver' } });

    const scores = scoreContact(c, events, now);

    expect(scores.rfm).toMatchObject({ segment: 'promising', recency: 4, frequency: 2, monetary: 3 });
    expect(scores.churn).toMatchObject({ level: 'high', cadenceDays: 20, ratio: 2, risk: 0.5 });
    expect(scores.lead).toMatchObject({ total: 10 });
    expect(scores.loyalty).toMatchObject({ tier: 'silver', next: { tier: 'gold', pointsNeeded: 650 } });
  });
});
