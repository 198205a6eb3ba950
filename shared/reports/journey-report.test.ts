import { describe, expect, it } from 'vitest';
import type { EventName, TimelineEvent } from '#core/contact.ts';
import type { Counters } from './counters.ts';
import {
  journeyCost,
  journeyIncrementsFor,
  journeyReports,
  type NodeVisit,
  usageIncrements,
  visitIncrements,
} from './journey-report.ts';
import { applyIncrements, type ContactKpiState, incrementsFor } from './kpi-counters.ts';
import { US_EAST_1_PRICES } from './prices.ts';

let seq = 0;
const ev = (contactId: string, name: EventName, day: string, data: Record<string, unknown>): TimelineEvent => ({
  eventId: `${name}:${++seq}`,
  contactId,
  name,
  at: `2026-${day}T09:00:00.000Z`,
  data,
});
const v1 = (enrollmentId: string, extra: Record<string, unknown> = {}) => ({
  journeyId: 'welcome',
  journeyVersion: 1,
  enrollmentId,
  ...extra,
});
const v2 = (enrollmentId: string, extra: Record<string, unknown> = {}) => ({
  ...v1(enrollmentId, extra),
  journeyVersion: 2,
});
const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });

/**
 * welcome v1: c1, c3, c6 treated; c2, c7 holdout.
 *   c1 converts (€50) and exits "converted"; c2 (holdout) converts (€20); c3 completes without
 *   converting; c6 converts (€60) and exits "converted"; c7 (holdout) does nothing.
 * welcome v2: c9 treated, converts (€25) and is still inside; c10 holdout, no conversion.
 */
const events: TimelineEvent[] = [
  ev('c1', 'journey.entered', '01-02', v1('n1')),
  ev('c2', 'journey.entered', '01-04', v1('n2', { holdout: true })),
  ev('c3', 'journey.entered', '01-06', v1('n3')),
  ev('c1', 'journey.converted', '01-05', v1('n1', { goal: 'order.placed', revenue: eur(5000) })),
  ev('c1', 'journey.exited', '01-05', v1('n1', { status: 'exited', reason: 'converted' })),
  ev('c2', 'journey.converted', '01-20', v1('n2', { goal: 'order.placed', revenue: eur(2000), holdout: true })),
  ev('c3', 'journey.exited', '01-20', v1('n3', { status: 'completed', reason: 'completed' })),
  ev('c6', 'journey.entered', '02-01', v1('n6')),
  ev('c7', 'journey.entered', '02-03', v1('n7', { holdout: true })),
  ev('c6', 'journey.converted', '02-05', v1('n6', { goal: 'order.placed', revenue: eur(6000) })),
  ev('c6', 'journey.exited', '02-05', v1('n6', { status: 'exited', reason: 'converted' })),
  ev('c9', 'journey.entered', '02-10', v2('n9')),
  ev('c9', 'journey.converted', '02-12', v2('n9', { goal: 'order.placed', revenue: eur(2500) })),
  ev('c10', 'journey.entered', '02-14', v2('n10', { holdout: true })),
];

const visit = (version: number, nodeId: string): NodeVisit => ({ journeyId: 'welcome', version, nodeId });
/** n1: start, email-1, goal; n3: start, email-1, wait, end; n6: start, email-1, goal; n9 (v2): start, email-1. */
const visits: NodeVisit[] = [
  ...['start', 'email-1', 'goal'].map((n) => visit(1, n)),
  ...['start', 'email-1', 'wait', 'end'].map((n) => visit(1, n)),
  ...['start', 'email-1', 'goal'].map((n) => visit(1, n)),
  ...['start', 'email-1'].map((n) => visit(2, n)),
];

function build(): Counters {
  let counters: Counters = {};
  const states = new Map<string, ContactKpiState>();
  for (const event of events) {
    const { increments, state } = incrementsFor(event, states.get(event.contactId));
    counters = applyIncrements(counters, increments);
    states.set(event.contactId, state);
  }
  for (const v of visits) counters = applyIncrements(counters, visitIncrements(v));
  counters = applyIncrements(counters, [
    ...usageIncrements({ journeyId: 'welcome', version: 1, transitions: 20, invocations: 8, emails: 3 }),
    ...usageIncrements({ journeyId: 'welcome', version: 2, transitions: 4, invocations: 2, emails: 1 }),
  ]);
  return counters;
}

describe('journey report', () => {
  const [first, second, ...rest] = journeyReports(build());

  it('reports each version of a journey', () => {
    expect(rest).toEqual([]);
    expect([first?.version, second?.version]).toEqual([1, 2]);
  });

  it('counts the funnel, conversions, lift and revenue of version 1', () => {
    expect(first).toMatchObject({
      journeyId: 'welcome',
      version: 1,
      entered: 5, // c1, c2, c3, c6, c7
      holdout: 2, // c2, c7
      treated: 3,
      exited: 3, // c1, c3, c6
      active: 0, // 3 treated − 3 exited
      exitedByReason: { converted: 2, completed: 1 },
      converted: { treated: 2, holdout: 1 }, // c1, c6 | c2
      conversionRate: { treated: 2 / 3, holdout: 1 / 2 },
      revenue: { EUR: 11000 }, // €50 + €60
      holdoutRevenue: { EUR: 2000 },
      nodes: { start: 3, 'email-1': 3, goal: 2, wait: 1, end: 1 },
      usage: { transitions: 20, invocations: 8, emails: 3 },
    });
    // 2/3 − 1/2 = 1/6; relative (1/6) / (1/2) = 1/3.
    expect(first?.lift.absolute).toBeCloseTo(1 / 6, 12);
    expect(first?.lift.relative).toBeCloseTo(1 / 3, 12);
  });

  it('prices version 1 from the price table', () => {
    const cost = first?.cost;
    expect(cost?.stepFunctions).toBeCloseTo(0.0005, 15); // 20 × $0.025 / 1,000
    expect(cost?.lambdaRequests).toBeCloseTo(0.0000016, 15); // 8 × $0.20 / 1M
    expect(cost?.lambdaDuration).toBeCloseTo(0.00000533336, 15); // 8 × 0.5 GB × 0.1 s = 0.4 GB-s × $0.0000133334
    expect(cost?.dynamoDbWrites).toBeCloseTo(0.000015, 15); // 8 × 3 = 24 WRU × $0.625 / 1M
    expect(cost?.dynamoDbReads).toBeCloseTo(0.000003, 15); // 24 RRU × $0.125 / 1M
    expect(cost?.ses).toBeCloseTo(0.0003, 15); // 3 × $0.10 / 1,000
    expect(cost?.total).toBeCloseTo(0.00082493336, 15);
  });

  it('counts version 2, whose holdout has not converted', () => {
    expect(second).toMatchObject({
      entered: 2, // c9, c10
      holdout: 1,
      treated: 1,
      exited: 0,
      active: 1, // c9 is still inside
      exitedByReason: {},
      converted: { treated: 1, holdout: 0 },
      conversionRate: { treated: 1, holdout: 0 },
      lift: { absolute: 1, relative: null }, // no relative lift over a 0% holdout
      revenue: { EUR: 2500 },
      holdoutRevenue: {},
      nodes: { start: 1, 'email-1': 1 },
      usage: { transitions: 4, invocations: 2, emails: 1 },
    });
    // 4 × 0.000025 + 2 × 2e-7 + 0.1 GB-s × 0.0000133334 + 6 × 6.25e-7 + 6 × 1.25e-7 + 0.0001
    expect(second?.cost.total).toBeCloseTo(0.00020623334, 15);
  });

  it('leaves a lift undefined without a holdout group', () => {
    const counters = applyIncrements({}, journeyIncrementsFor(ev('x', 'journey.entered', '03-01', v1('nx'))));
    expect(journeyReports(counters)[0]?.lift).toEqual({ absolute: null, relative: null });
  });

  it('charges nothing for a journey that did nothing', () => {
    expect(journeyCost({ transitions: 0, invocations: 0, emails: 0 }, US_EAST_1_PRICES).total).toBe(0);
  });
});
