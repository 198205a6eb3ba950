import { describe, expect, it } from 'vitest';
import { conditionSchema } from './condition.schema.ts';
import {
  bucketOf,
  compare,
  contactEdits,
  type EvaluationContext,
  evaluateCondition,
  evaluateConditions,
  exitConditionHolding,
  pickRandomBranch,
} from './conditions.ts';
import { contactChangeSchema } from './journey.schema.ts';

const now = new Date('2026-11-26T12:00:00Z');
const ctx: EvaluationContext = {
  contact: {
    email: 'ada@example.com',
    firstName: 'Ada',
    properties: { plan: 'pro', ltv: 1250, signup: '2026-01-05' },
    tags: ['vip'],
  },
  events: [
    {
      id: 'e1',
      name: 'order.placed',
      at: '2026-11-20T10:00:00Z',
      data: { total: { amountMinor: 5000, currency: 'EUR' } },
    },
    {
      id: 'e2',
      name: 'order.placed',
      at: '2026-10-01T10:00:00Z',
      data: { total: { amountMinor: 12000, currency: 'EUR' } },
    },
    { id: 'e3', name: 'email.opened', at: '2026-11-25T10:00:00Z', data: {} },
    {
      id: 'e4',
      name: 'order.placed',
      at: '2026-11-27T10:00:00Z',
      data: { total: { amountMinor: 1, currency: 'EUR' } },
    },
  ],
  now,
  enteredAt: '2026-11-20T10:00:00Z',
  triggerEventId: 'e1',
  trigger: { type: 'event', name: 'order.placed', data: { cartId: 'c1' } },
};
const cond = (c: unknown) => conditionSchema.parse(c);

describe('conditions', () => {
  it('compares numbers numerically, ISO dates as text, and checks presence and lists', () => {
    expect(compare(1250, 'gte', 1000)).toBe(true);
    expect(compare('1250', 'gt', 999)).toBe(true);
    expect(compare('2026-01-05', 'lt', '2026-02-01')).toBe(true);
    expect(compare(undefined, 'exists', undefined)).toBe(false);
    expect(compare('', 'not-exists', undefined)).toBe(true);
    expect(compare('gold', 'in', ['silver', 'gold'])).toBe(true);
    expect(compare(['a', 'b'], 'contains', 'b')).toBe(true);
    expect(compare('pro', 'neq', 'pro')).toBe(false);
    expect(compare(null, 'gt', 1)).toBe(false);
  });

  it('reads profile values, tags, the trigger and event counts in a window', () => {
    expect(
      evaluateCondition(cond({ kind: 'property', property: 'properties.plan', op: 'eq', value: 'pro' }), ctx),
    ).toBe(true);
    expect(evaluateCondition(cond({ kind: 'property', property: 'firstName', op: 'eq', value: 'Ada' }), ctx)).toBe(
      true,
    );
    expect(evaluateCondition(cond({ kind: 'tag', tag: 'vip' }), ctx)).toBe(true);
    expect(evaluateCondition(cond({ kind: 'tag', tag: 'vip', has: false }), ctx)).toBe(false);
    expect(
      evaluateCondition(
        cond({ kind: 'trigger', event: 'order.placed', where: [{ path: 'cartId', op: 'eq', value: 'c1' }] }),
        ctx,
      ),
    ).toBe(true);
    expect(evaluateCondition(cond({ kind: 'trigger', event: 'checkout.started' }), ctx)).toBe(false);
    // The event after "now" is not seen; the one 56 days ago is only in an all-time window.
    expect(evaluateCondition(cond({ kind: 'event', event: 'order.placed', count: { op: 'eq', value: 2 } }), ctx)).toBe(
      true,
    );
    expect(
      evaluateCondition(
        cond({ kind: 'event', event: 'order.placed', within: { days: 30 }, count: { op: 'eq', value: 1 } }),
        ctx,
      ),
    ).toBe(true);
    // Since entry leaves out the triggering order itself.
    expect(evaluateCondition(cond({ kind: 'event', event: 'order.placed', within: 'since-entry' }), ctx)).toBe(false);
    expect(evaluateCondition(cond({ kind: 'event', event: 'email.opened', within: 'since-entry' }), ctx)).toBe(true);
    expect(
      evaluateCondition(
        cond({ kind: 'event', event: 'order.placed', where: [{ path: 'total.amountMinor', op: 'gt', value: 10000 }] }),
        ctx,
      ),
    ).toBe(true);
  });

  it('combines with all / any, and names the exit rule that holds', () => {
    const conditions = [cond({ kind: 'tag', tag: 'nope' }), cond({ kind: 'tag', tag: 'vip' })];
    expect(evaluateConditions(conditions, 'all', ctx)).toBe(false);
    expect(evaluateConditions(conditions, 'any', ctx)).toBe(true);
    expect(exitConditionHolding(conditions, ctx)).toBe(1);
    expect(exitConditionHolding([conditions[0] as never], ctx)).toBeUndefined();
  });

  it('turns update-contact changes into edits: points from order totals, increments, tags', () => {
    const changes = [
      {
        op: 'set-from-events',
        property: 'loyaltyPoints',
        event: 'order.placed',
        aggregate: 'sum',
        path: 'total.amountMinor',
        divideBy: 100,
      },
      { op: 'set-from-events', property: 'orders', event: 'order.placed', aggregate: 'count' },
      { op: 'increment', property: 'ltv', by: 5 },
      { op: 'set-from-trigger', property: 'lastCart', path: 'cartId' },
      { op: 'set', property: 'tier', value: 'gold' },
      { op: 'unset', property: 'signup' },
      { op: 'add-tag', tag: 'buyer' },
      { op: 'remove-tag', tag: 'lead' },
    ].map((c) => contactChangeSchema.parse(c));
    expect(contactEdits(changes, ctx)).toEqual({
      set: { loyaltyPoints: 170, orders: 2, ltv: 1255, lastCart: 'c1', tier: 'gold' },
      unset: ['signup'],
      addTags: ['buyer'],
      removeTags: ['lead'],
    });
  });

  it('splits at random by enrollment, the same way every time, close to the percentages', () => {
    const branches = [
      { name: 'a', percent: 20 },
      { name: 'b', percent: 80 },
    ];
    expect(pickRandomBranch(branches, 'e-1', 'ab')).toEqual(pickRandomBranch(branches, 'e-1', 'ab'));
    let a = 0;
    for (let i = 0; i < 10_000; i++) if (pickRandomBranch(branches, `e-${i}`, 'ab').name === 'a') a += 1;
    expect(a / 10_000).toBeGreaterThan(0.18);
    expect(a / 10_000).toBeLessThan(0.22);
    expect(bucketOf('x')).toBeGreaterThanOrEqual(0);
    expect(bucketOf('x')).toBeLessThan(100);
  });
});
