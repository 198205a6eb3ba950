import { describe, expect, it } from 'vitest';
import ids from '../templates/compiled/ids.json' with { type: 'json' };
import { BUILT_IN_JOURNEY_IDS, BUILT_IN_JOURNEYS } from './journeys/index.ts';
import { validateJourney } from './validate.ts';
import type { ValidationContext, Violation } from './violations.ts';

/** The shipped templates' ids, as the API and CLI know them. */
const templateIds: ReadonlySet<string> = new Set(ids);

const context: ValidationContext = {
  templates: templateIds,
  topics: new Set(['product-news', 'offers']),
  endpoints: new Set(['ep-crm']),
};
const base = BUILT_IN_JOURNEYS.onboarding;
const withNodes = (nodes: Record<string, unknown>, start = 'a', extra: Record<string, unknown> = {}) => ({
  ...base,
  start,
  nodes,
  ...extra,
});

function violations(doc: unknown): Violation[] {
  const result = validateJourney(doc, context);
  if (result.ok) throw new Error('expected violations');
  return result.violations;
}
const messages = (doc: unknown) => violations(doc).map((v) => v.message);

describe('validateJourney', () => {
  it.each(BUILT_IN_JOURNEY_IDS)('accepts the built-in %s journey', (id) => {
    expect(validateJourney(BUILT_IN_JOURNEYS[id], context)).toMatchObject({ ok: true });
  });

  it('names a dangling successor, an unknown template and an unreachable node, each with its fix', () => {
    const found = violations(
      withNodes({
        a: { type: 'send-email', template: 'welcom', next: 'missing' },
        b: { type: 'exit' },
      }),
    );
    expect(found).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          nodeId: 'a',
          path: '$.nodes.a.next',
          message: expect.stringMatching(
            /^"a" leads to "missing", which is not a node\. Fix: add a node "missing" or point next at/,
          ),
        }),
        expect.objectContaining({
          nodeId: 'a',
          path: '$.nodes.a.template',
          message: expect.stringContaining(
            '"a" sends template "welcom", which does not exist. Did you mean "welcome"?',
          ),
        }),
        expect.objectContaining({
          nodeId: 'b',
          path: '$.nodes.b',
          message: '"b" can never be reached from "a". Fix: point a node\'s next at it, or delete it.',
        }),
      ]),
    );
  });

  it('refuses a loop without a wait, a loop with one, reserved names and waits over a year', () => {
    const busy = messages(
      withNodes({
        a: { type: 'update-contact', changes: [{ op: 'add-tag', tag: 'x' }], next: 'b' },
        b: { type: 'branch', conditions: [{ kind: 'tag', tag: 'x' }], onTrue: 'a', onFalse: 'exited' },
        exited: { type: 'exit' },
      }),
    );
    expect(busy).toContain('"exited" is a name Tend keeps for itself. Fix: rename the node, e.g. "exited-step".');
    expect(busy.some((m) => m.startsWith('the journey loops a → b → a without a wait'))).toBe(true);

    const slow = messages(
      withNodes({
        a: { type: 'wait', duration: { days: 400 }, next: 'b' },
        b: { type: 'wait', duration: { days: 1 }, next: 'a' },
        c: { type: 'exit' },
      }),
    );
    expect(slow).toContain(
      '"a" waits longer than one year. Fix: wait at most 365 days (Step Functions ends executions after a year).',
    );
    expect(slow.some((m) => m.includes('past the one-year limit of a Step Functions execution'))).toBe(true);
  });

  it('adds up the waits along a path against the one-year limit', () => {
    const found = messages(
      withNodes({
        a: { type: 'wait', duration: { days: 200 }, next: 'b' },
        b: { type: 'wait', duration: { days: 200 }, next: 'c' },
        c: { type: 'exit' },
      }),
    );
    expect(found.some((m) => m.startsWith('the path through "b" waits 400 days in all'))).toBe(true);
  });

  it('refuses a correlation key that a trigger cannot supply', () => {
    const found = violations({
      ...withNodes({
        a: {
          type: 'wait-for-event',
          event: 'order.placed',
          correlate: true,
          timeout: { hours: 1 },
          next: 'b',
          onTimeout: 'c',
        },
        b: { type: 'goal', name: 'bought' },
        c: { type: 'exit' },
      }),
      triggers: [
        { type: 'event', event: 'checkout.started', correlationKey: 'cartId' },
        { type: 'inactivity', event: 'order.placed', after: { days: 30 } },
      ],
    });
    expect(found).toContainEqual({
      nodeId: 'a',
      path: '$.nodes.a.correlate',
      message:
        '"a" waits for the same cartId as the trigger, but trigger 2 (inactivity) has no correlation key. Fix: add "correlationKey" to that trigger or set "correlate": false.',
    });
  });

  it('names unknown events, topics, endpoints and contact values, and percentages that do not add up', () => {
    const found = messages({
      ...withNodes({
        a: {
          type: 'branch',
          conditions: [
            { kind: 'event', event: 'order.plcaed' },
            { kind: 'property', property: 'plan', op: 'eq', value: 'pro' },
            { kind: 'property', property: 'properties.ltv', op: 'exists', value: 1 },
          ],
          onTrue: 'b',
          onFalse: 'c',
        },
        b: { type: 'send-email', template: 'welcome', topic: 'gossip', next: 'd' },
        c: {
          type: 'random-split',
          branches: [
            { name: 'x', percent: 30, next: 'd' },
            { name: 'x', percent: 30, next: 'e' },
          ],
        },
        d: { type: 'webhook', endpoint: 'ep-gone', next: 'e' },
        e: { type: 'exit' },
      }),
    });
    expect(found).toEqual(
      expect.arrayContaining([
        '"a" names the event "order.plcaed", which Tend does not know. Did you mean "order.placed"? Fix: use a canonical event name.',
        expect.stringContaining('"a" reads "plan", which is not a contact value. Fix: use'),
        expect.stringContaining('(e.g. "properties.plan")'),
        '"a" checks "exists", which takes no value. Fix: remove "value".',
        expect.stringContaining('"b" uses subscription topic "gossip", which does not exist.'),
        'the percentages of "c" add up to 60, not 100. Fix: change them so they sum to 100.',
        '"c" has two branches named "x". Fix: give each branch its own name; reports count by it.',
        expect.stringContaining(
          '"d" posts to endpoint "ep-gone", which does not exist. Fix: create it with "tend endpoints create"',
        ),
      ]),
    );
  });

  it('checks triggers and settings: weekly schedules need a weekday, time zones must exist', () => {
    const found = messages({
      ...base,
      triggers: [{ type: 'schedule', every: 'week', at: '09:00' }],
      settings: { timeZone: 'Mars/Olympus', reentry: { mode: 'never' }, maxEntries: 3 },
    });
    expect(found).toEqual(
      expect.arrayContaining([
        'trigger 1 runs every week but names no weekday. Fix: add "weekday": "mon" (or another day).',
        '"Mars/Olympus" is not a time zone. Fix: use an IANA name such as "Europe/Paris".',
        're-entry is "never", so "maxEntries": 3 can never be reached. Fix: remove maxEntries or allow re-entry.',
      ]),
    );
  });

  it('reports schema errors with their JSON path and node, and spells out an unknown node type', () => {
    const found = violations(withNodes({ a: { type: 'teleport' } }));
    expect(found[0]).toEqual({
      nodeId: 'a',
      path: '$.nodes.a.type',
      message: expect.stringMatching(
        /^"a" has type "teleport", which journeys do not have\. Fix: use one of "wait", "wait-until"/,
      ),
    });
    const missing = violations(withNodes({ a: { type: 'wait', duration: { days: 1 } } }));
    expect(missing).toContainEqual(expect.objectContaining({ nodeId: 'a', path: '$.nodes.a.next' }));
  });

  it('skips checks whose lists it was not given (offline)', () => {
    const doc = withNodes({ a: { type: 'webhook', endpoint: 'ep-anything', next: 'b' }, b: { type: 'exit' } });
    expect(validateJourney(doc, { templates: templateIds })).toMatchObject({ ok: true });
  });
});
