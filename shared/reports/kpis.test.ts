import { describe, expect, it } from 'vitest';
import type { EventName, TimelineEvent } from '#core/contact.ts';
import type { Counters } from './counters.ts';
import { applyIncrements, type ContactKpiState, incrementsFor } from './kpi-counters.ts';
import { counterKeysFor, type Kpis, kpisFrom } from './kpis.ts';

let seq = 0;
const ev = (contactId: string, name: EventName, day: string, data: Record<string, unknown> = {}): TimelineEvent => ({
  eventId: `e${++seq}`,
  contactId,
  name,
  at: `2026-${day}T12:00:00.000Z`,
  data,
});
const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });
const order = (contactId: string, day: string, orderId: string, total: { amountMinor: number; currency: string }) =>
  ev(contactId, 'order.placed', day, { orderId, total, lineItems: [] });

/**
 * Ten contacts over January and February 2026 (days are MM-DD).
 *
 * c1  created 01-02, form 01-03, email sent+delivered 01-03, order o1 €50 01-05, order o2 €30 02-10, NPS 9 02-12
 * c2  created 01-04, form 01-04, order o3 €20 01-20, refund €5 01-25, sub started 01-20, cancelled 02-15
 * c3  created 01-06, form 01-07, email sent/delivered 01-08, opened/clicked 01-09, NPS 6 02-01 (lead, never buys)
 * c4  created 01-10, order o4 €40 01-11, sub started 01-11, order o5 €10 01-28 (buyer without a form)
 * c5  created 01-15, sub started 01-15, order o6 $30 02-03
 * c6  created 02-01, form 02-02, order o7 €60 02-05, NPS 10 02-20
 * c7  created 02-03, form 02-04, email sent+bounced 02-05
 * c8  created 02-06, email sent+delivered 02-07, opened+complained+unsubscribed 02-08
 * c9  created 02-10, form 02-11, order o8 €25 02-12, sub started 02-12, order o9 €15 02-25
 * c10 created 02-14, NPS 7 02-14, email sent+delivered 02-15, opened+clicked 02-16, unsubscribed 02-17
 */
const events: TimelineEvent[] = [
  ev('c1', 'contact.created', '01-02'),
  ev('c1', 'form.submitted', '01-03', { formId: 'newsletter', fields: {} }),
  ev('c1', 'email.sent', '01-03', { journeyId: 'welcome', enrollmentId: 'n1', nodeId: 'email-1', template: 'w' }),
  ev('c1', 'email.delivered', '01-03'),
  order('c1', '01-05', 'o1', eur(5000)),
  order('c1', '02-10', 'o2', eur(3000)),
  ev('c1', 'nps.responded', '02-12', { score: 9 }),

  ev('c2', 'contact.created', '01-04'),
  ev('c2', 'form.submitted', '01-04', { formId: 'demo', fields: {} }),
  order('c2', '01-20', 'o3', eur(2000)),
  ev('c2', 'subscription.started', '01-20', { subscriptionId: 's2' }),
  ev('c2', 'order.refunded', '01-25', { orderId: 'o3', refundId: 'r1', amount: eur(500) }),
  ev('c2', 'subscription.cancelled', '02-15', { subscriptionId: 's2' }),

  ev('c3', 'contact.created', '01-06'),
  ev('c3', 'form.submitted', '01-07', { formId: 'newsletter', fields: {} }),
  ev('c3', 'email.sent', '01-08'),
  ev('c3', 'email.delivered', '01-08'),
  ev('c3', 'email.opened', '01-09'),
  ev('c3', 'email.clicked', '01-09'),
  ev('c3', 'nps.responded', '02-01', { score: 6 }),

  ev('c4', 'contact.created', '01-10'),
  order('c4', '01-11', 'o4', eur(4000)),
  ev('c4', 'subscription.started', '01-11', { subscriptionId: 's4' }),
  order('c4', '01-28', 'o5', eur(1000)),

  ev('c5', 'contact.created', '01-15'),
  ev('c5', 'subscription.started', '01-15', { subscriptionId: 's5' }),
  order('c5', '02-03', 'o6', { amountMinor: 3000, currency: 'USD' }),

  ev('c6', 'contact.created', '02-01'),
  ev('c6', 'form.submitted', '02-02', { formId: 'demo', fields: {} }),
  order('c6', '02-05', 'o7', eur(6000)),
  ev('c6', 'nps.responded', '02-20', { score: 10 }),

  ev('c7', 'contact.created', '02-03'),
  ev('c7', 'form.submitted', '02-04', { formId: 'demo', fields: {} }),
  ev('c7', 'email.sent', '02-05'),
  ev('c7', 'email.bounced', '02-05'),

  ev('c8', 'contact.created', '02-06'),
  ev('c8', 'email.sent', '02-07'),
  ev('c8', 'email.delivered', '02-07'),
  ev('c8', 'email.opened', '02-08'),
  ev('c8', 'email.complained', '02-08'),
  ev('c8', 'contact.unsubscribed', '02-08'),

  ev('c9', 'contact.created', '02-10'),
  ev('c9', 'form.submitted', '02-11', { formId: 'newsletter', fields: {} }),
  order('c9', '02-12', 'o8', eur(2500)),
  ev('c9', 'subscription.started', '02-12', { subscriptionId: 's9' }),
  order('c9', '02-25', 'o9', eur(1500)),

  ev('c10', 'contact.created', '02-14'),
  ev('c10', 'nps.responded', '02-14', { score: 7 }),
  ev('c10', 'email.sent', '02-15'),
  ev('c10', 'email.delivered', '02-15'),
  ev('c10', 'email.opened', '02-16'),
  ev('c10', 'email.clicked', '02-16'),
  ev('c10', 'contact.unsubscribed', '02-17'),
];

/** What the app does: per event, load the contact's state, apply the adds, save the returned state. */
function replay(list: readonly TimelineEvent[], start: Counters = {}, states = new Map<string, ContactKpiState>()) {
  let counters = start;
  for (const event of list) {
    const { increments, state } = incrementsFor(event, states.get(event.contactId));
    counters = applyIncrements(counters, increments);
    states.set(event.contactId, state);
  }
  return { counters, states };
}

const january = { from: '2026-01-01', to: '2026-01-31' };
const february = { from: '2026-02-01', to: '2026-02-28' };

/** Only the items `counterKeysFor` lists, as the page would load them. */
function loaded(counters: Counters, period: { from: string; to: string }): Counters {
  return Object.fromEntries(counterKeysFor(period, '2026-01').flatMap((k) => (counters[k] ? [[k, counters[k]]] : [])));
}

describe('lifecycle KPIs', () => {
  const { counters } = replay(events);

  it('computes every January figure', () => {
    const kpis = kpisFrom(loaded(counters, january), january);
    expect(kpis).toEqual<Kpis>({
      period: january,
      newContacts: 5, // c1..c5
      newLeads: 3, // c1 01-03, c2 01-04, c3 01-07
      leadToCustomer: { count: 2, of: 3, rate: 2 / 3 }, // c1 and c2 bought after their form; c3 never
      // Sales €50 + €20 + €40 + €10 = €120, minus c2's €5 refund.
      revenue: { currency: 'EUR', netMinor: 11500, salesMinor: 12000, refundsMinor: 500, others: [] },
      orders: 4, // o1, o3, o4, o5
      averageOrderValueMinor: 3000, // 12000 / 4
      repeatPurchase: { count: 1, of: 3, rate: 1 / 3 }, // customers c1, c2, c4; only c4 has two orders by 01-31
      churn: { count: 0, of: 0, rate: null }, // no subscription was active on 1 January
      cohorts: [{ month: '2026-01', customers: 3, retained: [] }], // no later month yet
      historicClvMinor: 11500 / 3, // net €115 over three customers
      nps: { responses: 0, promoters: 0, detractors: 0, score: null },
      email: {
        sent: 2, // c1, c3
        delivered: { count: 2, of: 2, rate: 1 },
        opened: { count: 1, of: 2, rate: 0.5 },
        clicked: { count: 1, of: 2, rate: 0.5 },
        unsubscribed: { count: 0, of: 2, rate: 0 },
        bounced: { count: 0, of: 2, rate: 0 },
        complained: { count: 0, of: 2, rate: 0 },
      },
    });
  });

  it('computes every February figure', () => {
    const kpis = kpisFrom(loaded(counters, february), february);
    expect(kpis).toEqual<Kpis>({
      period: february,
      newContacts: 5, // c6..c10
      newLeads: 3, // c6, c7, c9
      leadToCustomer: { count: 2, of: 3, rate: 2 / 3 }, // c6 and c9 bought; c7 did not
      // EUR: o2 €30 + o7 €60 + o8 €25 + o9 €15 = €130, no refund; USD: o6 $30 listed apart.
      revenue: {
        currency: 'EUR',
        netMinor: 13000,
        salesMinor: 13000,
        refundsMinor: 0,
        others: [{ currency: 'USD', amountMinor: 3000 }],
      },
      orders: 5, // o2, o6, o7, o8, o9
      averageOrderValueMinor: 3250, // 13000 over the 4 euro orders
      // Customers by 02-28: c1, c2, c4, c5, c6, c9; with two orders: c1 (02-10), c4, c9 (02-25).
      repeatPurchase: { count: 3, of: 6, rate: 0.5 },
      // Active on 1 Feb: c2, c4, c5 (c9 starts in February); c2 cancels.
      churn: { count: 1, of: 3, rate: 1 / 3 },
      cohorts: [
        // January buyers c1, c2, c4: only c1 ordered again in February.
        { month: '2026-01', customers: 3, retained: [{ count: 1, of: 3, rate: 1 / 3 }] },
        { month: '2026-02', customers: 3, retained: [] }, // c5, c6, c9
      ],
      historicClvMinor: (11500 + 13000) / 6, // euro net to date over six customers
      // c1 9 promoter, c3 6 detractor, c6 10 promoter, c10 7 passive: (2 − 1) / 4.
      nps: { responses: 4, promoters: 2, detractors: 1, score: 25 },
      email: {
        sent: 3, // c7, c8, c10
        delivered: { count: 2, of: 3, rate: 2 / 3 },
        opened: { count: 2, of: 3, rate: 2 / 3 },
        clicked: { count: 1, of: 3, rate: 1 / 3 },
        unsubscribed: { count: 2, of: 3, rate: 2 / 3 },
        bounced: { count: 1, of: 3, rate: 1 / 3 },
        complained: { count: 1, of: 3, rate: 1 / 3 },
      },
    });
  });

  it('counts active subscriptions at a start date inside a month', () => {
    // Started by 01-15: c4 (01-11), c5 (01-15); c2 starts 01-20 inside the period. c2 cancels 02-15.
    const period = { from: '2026-01-16', to: '2026-02-28' };
    expect(kpisFrom(loaded(counters, period), period).churn).toEqual({ count: 1, of: 2, rate: 0.5 });
  });

  it('counts no active subscriptions, never fewer than none, when cancellations predate their starts', () => {
    // Subscriptions started before the shop's history reached Tend are cancelled with no start counted.
    const early = replay([
      ev('s1', 'subscription.cancelled', '01-05', { subscriptionId: 'old-1' }),
      ev('s2', 'subscription.cancelled', '01-09', { subscriptionId: 'old-2' }),
      ev('s3', 'subscription.cancelled', '02-03', { subscriptionId: 'old-3' }),
    ]).counters;
    expect(kpisFrom(loaded(early, february), february).churn).toEqual({ count: 1, of: 0, rate: null });
  });

  it('reports the currency asked for, with the others listed', () => {
    const revenue = kpisFrom(loaded(counters, february), february, { currency: 'USD' }).revenue;
    expect(revenue).toEqual({
      currency: 'USD',
      netMinor: 3000,
      salesMinor: 3000,
      refundsMinor: 0,
      others: [{ currency: 'EUR', amountMinor: 13000 }],
    });
  });

  it('gives the same counters whatever order the events arrive in', () => {
    const reversed = replay([...events].reverse()).counters;
    const nonZero = (c: Counters) =>
      Object.fromEntries(
        Object.entries(c)
          .map(([k, item]) => [k, Object.fromEntries(Object.entries(item).filter(([, v]) => v !== 0))] as const)
          .filter(([, item]) => Object.keys(item).length > 0),
      );
    expect(nonZero(reversed)).toEqual(nonZero(counters));
  });

  it('moves a customer to an earlier cohort when an older order arrives late', () => {
    const late = replay([order('x', '03-04', 'late-2', eur(100)), order('x', '01-09', 'late-1', eur(100))]);
    expect(late.counters['kpi#cohort#2026-03']).toEqual({ customers: 0 });
    expect(late.counters['kpi#cohort#2026-01']).toEqual({ customers: 1, m2: 1 });
    expect(late.counters['kpi#day#2026-03-04']).toMatchObject({ customers_new: 0, customers_repeat: 1 });
    expect(late.counters['kpi#day#2026-01-09']).toMatchObject({ customers_new: 1 });
  });

  it('is deterministic: the same event and state give the same increments', () => {
    const event = order('c1', '01-05', 'o1', eur(5000));
    expect(incrementsFor(event, undefined)).toEqual(incrementsFor(event, undefined));
  });

  it('routes journey events to the journey counters', () => {
    const { increments } = incrementsFor(
      ev('c1', 'journey.entered', '01-02', { journeyId: 'welcome', journeyVersion: 1, enrollmentId: 'n1' }),
      undefined,
    );
    expect(increments).toEqual([{ key: 'journey#welcome#v1', field: 'entered', by: 1 }]);
  });

  it('lists the month, cohort and day items a page loads', () => {
    expect(counterKeysFor({ from: '2026-02-27', to: '2026-03-01' }, '2026-01')).toEqual([
      'kpi#month#2026-01',
      'kpi#month#2026-02',
      'kpi#cohort#2026-01',
      'kpi#cohort#2026-02',
      'kpi#cohort#2026-03',
      ...Array.from({ length: 28 }, (_, i) => `kpi#day#2026-02-${String(i + 1).padStart(2, '0')}`),
      'kpi#day#2026-03-01',
    ]);
  });
});
