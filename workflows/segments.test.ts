import { describe, expect, it } from 'vitest';
import type { Condition } from './condition.schema.ts';
import type { EvaluationContext } from './conditions.ts';
import {
  affectedBy,
  describeSegment,
  nextWindowChange,
  reevaluationScope,
  segmentHolds,
  validateSegment,
} from './segments.ts';

const now = new Date('2026-11-26T12:00:00Z');
const order = (id: string, at: string, amountMinor = 5000) => ({
  id,
  name: 'order.placed',
  at,
  data: { total: { amountMinor, currency: 'EUR' } },
});
const ctx = (events: EvaluationContext['events'], properties = {}): EvaluationContext => ({
  contact: { properties, tags: ['vip'] },
  events,
  now,
});

const repeatBuyers = {
  id: 'repeat-buyers',
  name: 'Repeat buyers',
  conditions: [{ kind: 'event', event: 'order.placed', count: { op: 'gte', value: 2 }, within: { days: 90 } }],
};

const parse = (input: unknown) => {
  const result = validateSegment(input);
  if (!result.ok) throw new Error(JSON.stringify(result.violations));
  return result.segment;
};

describe('segment rules', () => {
  it('holds for two orders in 90 days and not for one', () => {
    const segment = parse(repeatBuyers);
    expect(segmentHolds(segment, ctx([order('o1', '2026-11-20T00:00:00Z'), order('o2', '2026-09-10T00:00:00Z')]))).toBe(
      true,
    );
    expect(segmentHolds(segment, ctx([order('o1', '2026-11-20T00:00:00Z'), order('o2', '2026-08-01T00:00:00Z')]))).toBe(
      false,
    );
  });

  it('finds the moment the oldest counted order leaves the window', () => {
    const segment = parse(repeatBuyers);
    const next = nextWindowChange(
      segment,
      ctx([order('o1', '2026-11-20T00:00:00Z'), order('o2', '2026-09-10T00:00:00Z')]),
    );
    // 2026-09-10 + 90 days
    expect(next?.toISOString()).toBe('2026-12-09T00:00:00.000Z');
  });

  it('needs no timer for rules without a window', () => {
    const segment = parse({ id: 'vips', name: 'VIPs', conditions: [{ kind: 'tag', tag: 'vip' }] });
    expect(nextWindowChange(segment, ctx([order('o1', '2026-11-20T00:00:00Z')]))).toBeUndefined();
  });

  it('is re-evaluated only by the changes its rule reads', () => {
    const segment = parse(repeatBuyers);
    expect(affectedBy(segment, { kind: 'event', name: 'order.placed' })).toBe(true);
    expect(affectedBy(segment, { kind: 'event', name: 'email.opened' })).toBe(false);
    expect(affectedBy(segment, { kind: 'profile' })).toBe(false);
    expect(
      affectedBy(
        parse({
          id: 'p',
          name: 'P',
          conditions: [{ kind: 'property', property: 'properties.plan', op: 'eq', value: 'pro' }],
        }),
        { kind: 'profile' },
      ),
    ).toBe(true);
  });

  it('refuses trigger and segment conditions, since-entry windows and unknown events, saying how to fix them', () => {
    const result = validateSegment({
      id: 'bad',
      name: 'Bad',
      conditions: [
        { kind: 'trigger' },
        { kind: 'segment', segment: 'vips' },
        { kind: 'event', event: 'order.placed', within: 'since-entry' },
        { kind: 'event', event: 'order.shipped' },
      ],
    });
    expect(result.ok).toBe(false);
    const paths = result.ok ? [] : result.violations.map((v) => v.path);
    expect(paths).toEqual([
      '$.conditions[0].kind',
      '$.conditions[1].kind',
      '$.conditions[2].within',
      '$.conditions[3].event',
    ]);
    expect(result.ok ? '' : result.violations.map((v) => v.message).join(' ')).toContain('Fix:');
  });

  it('refuses a malformed id with the path to it', () => {
    const result = validateSegment({ ...repeatBuyers, id: 'Repeat Buyers' });
    expect(result.ok ? [] : result.violations.map((v) => v.path)).toEqual(['$.id']);
  });

  it('reads a rule in words', () => {
    expect(describeSegment(parse(repeatBuyers))).toBe('order.placed at least 2 times in the last 90 days');
    expect(
      describeSegment(
        parse({
          id: 'lapsed',
          name: 'Lapsed',
          conditions: [
            { kind: 'event', event: 'order.placed', count: { op: 'eq', value: 0 }, within: { days: 60 } },
            { kind: 'event', event: 'order.placed' },
          ],
        }),
      ),
    ).toBe('no order.placed in the last 60 days and order.placed ever');
  });
});

describe('what a rule change re-evaluates', () => {
  const c = (days: number): Condition => ({
    kind: 'event',
    event: 'order.placed',
    where: [],
    count: { op: 'gte', value: 2 },
    within: { days },
  });
  const tag: Condition = { kind: 'tag', tag: 'vip', has: true };

  it('nobody when only the name changed', () => {
    expect(reevaluationScope({ match: 'all', conditions: [c(90)] }, { match: 'all', conditions: [c(90)] })).toBe(
      'none',
    );
  });

  it('only the members when an "all" rule gains a condition', () => {
    expect(reevaluationScope({ match: 'all', conditions: [c(90)] }, { match: 'all', conditions: [c(90), tag] })).toBe(
      'members',
    );
  });

  it('only the members when an "any" rule loses a condition', () => {
    expect(reevaluationScope({ match: 'any', conditions: [c(90), tag] }, { match: 'any', conditions: [tag] })).toBe(
      'members',
    );
  });

  it('every contact when the rule widens or changes', () => {
    expect(reevaluationScope({ match: 'all', conditions: [c(90), tag] }, { match: 'all', conditions: [c(90)] })).toBe(
      'contacts',
    );
    expect(reevaluationScope({ match: 'all', conditions: [c(90)] }, { match: 'all', conditions: [c(30)] })).toBe(
      'contacts',
    );
  });
});

describe('comparing a stored rule', () => {
  it('ignores the order of keys, which storage does not keep', () => {
    const stored = JSON.parse(
      '{"within":{"days":90},"count":{"value":2,"op":"gte"},"where":[],"event":"order.placed","kind":"event"}',
    );
    const source: Condition = {
      kind: 'event',
      event: 'order.placed',
      where: [],
      count: { op: 'gte', value: 2 },
      within: { days: 90 },
    };
    expect(reevaluationScope({ match: 'all', conditions: [stored] }, { match: 'all', conditions: [source] })).toBe(
      'none',
    );
  });
});
