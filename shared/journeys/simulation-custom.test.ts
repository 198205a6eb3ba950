import { describe, expect, it } from 'vitest';
import { simulateRequestSchema } from './api.schema.ts';
import { runSimulation } from './backtest.ts';
import { checkout, deps, type Event } from './simulation.fixture.ts';

/**
 * What no built-in journey uses, run by the simulator: date and schedule triggers, the frequency
 * cap, and segments as triggers and branch conditions.
 */

describe('what no built-in journey uses', () => {
  const custom = (extra: Record<string, unknown>) => ({
    schemaVersion: 1,
    id: 'custom',
    name: 'Custom',
    start: 'hook',
    nodes: {
      hook: { type: 'webhook', endpoint: 'ep-crm', next: 'hello' },
      hello: { type: 'send-email', template: 'tips', next: 'done' },
      done: { type: 'exit' },
    },
    ...extra,
  });
  const run = async (
    document: unknown,
    timeline: Event[],
    contact: Record<string, unknown> = {},
    extra: Record<string, unknown> = {},
  ) => {
    const request = simulateRequestSchema.parse({
      contact: { email: 'ada@example.com', ...contact },
      timeline,
      ...extra,
    });
    const result = await runSimulation(deps, document, request);
    expect(result.failures, result.lines.join('\n')).toEqual([]);
    return result;
  };

  it('enters on a yearly date at the contact’s local time, posts the webhook, and again a year later', async () => {
    const result = await run(
      custom({
        triggers: [{ type: 'date', property: 'properties.birthday', repeat: 'yearly', at: '09:00' }],
        settings: { reentry: { mode: 'always' } },
      }),
      [],
      { timeZone: 'Europe/Paris', properties: { birthday: '1990-12-03' }, createdAt: '2026-11-01T00:00:00Z' },
      { from: '2026-11-01T00:00:00Z', until: '2027-12-31T00:00:00Z' },
    );
    expect(result.enrollments.map((e) => e.enteredAt)).toEqual([
      '2026-12-03T08:00:00.000Z',
      '2027-12-03T08:00:00.000Z',
    ]);
    expect(result.webhooks).toBe(2);
  });

  it('runs a weekly schedule for its audience, and holds entries at maxEntries', async () => {
    const result = await run(
      custom({
        triggers: [
          { type: 'schedule', every: 'week', weekday: 'mon', at: '10:00', audience: [{ kind: 'tag', tag: 'vip' }] },
        ],
        settings: { reentry: { mode: 'always' }, maxEntries: 2 },
      }),
      [],
      { tags: ['vip'], createdAt: '2026-11-01T00:00:00Z' },
      { from: '2026-11-01T00:00:00Z', until: '2026-11-30T00:00:00Z' },
    );
    // Mondays 2, 9, 16 and 23 November; the third and fourth runs are refused by maxEntries.
    expect(result.enrollments.map((e) => e.enteredAt)).toEqual([
      '2026-11-02T10:00:00.000Z',
      '2026-11-09T10:00:00.000Z',
    ]);
  });

  it('leaves a contact outside the audience out of a schedule', async () => {
    const result = await run(
      custom({ triggers: [{ type: 'schedule', every: 'day', at: '10:00', audience: [{ kind: 'tag', tag: 'vip' }] }] }),
      [],
      { createdAt: '2026-11-01T00:00:00Z' },
      { from: '2026-11-01T00:00:00Z', until: '2026-11-05T00:00:00Z' },
    );
    expect(result.enrollments).toEqual([]);
  });

  it('defers an email past the frequency cap, which counts every journey email of the contact', async () => {
    const result = await run(
      {
        ...custom({
          triggers: [{ type: 'event', event: 'checkout.started' }],
          settings: { reentry: { mode: 'always' }, frequencyCap: { max: 1, periodHours: 24 } },
        }),
        start: 'hello',
        nodes: { hello: { type: 'send-email', template: 'tips', next: 'done' }, done: { type: 'exit' } },
      },
      [checkout('2026-11-02T10:00:00Z', 'a'), checkout('2026-11-02T14:00:00Z', 'b')],
    );
    expect(result.emails.map((e) => [e.at, e.outcome, e.reason ?? ''])).toEqual([
      ['2026-11-02T10:00:00.000Z', 'sent', ''],
      ['2026-11-02T14:00:00.000Z', 'deferred', 'frequency-cap'],
      ['2026-11-03T10:00:01.000Z', 'sent', ''],
    ]);
  });
});

describe('segments in journeys', () => {
  const stored = (segment: Record<string, unknown>) => ({
    match: 'all' as const,
    revision: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    updatedBy: 'test',
    members: 0,
    ...segment,
  });
  const segments = [
    stored({
      id: 'repeat-buyers',
      name: 'Repeat buyers',
      conditions: [
        { kind: 'event', event: 'order.placed', where: [], count: { op: 'gte', value: 2 }, within: { days: 90 } },
      ],
    }),
    stored({ id: 'vips', name: 'VIPs', conditions: [{ kind: 'tag', tag: 'vip', has: true }] }),
    stored({
      id: 'at-risk',
      name: 'At risk',
      conditions: [{ kind: 'property', property: 'scores.churnRisk', op: 'eq', value: 'high' }],
    }),
  ] as never[];
  const segmentDeps = { ...deps, segments: async () => segments };
  const journey = (on: 'enter' | 'exit') => ({
    schemaVersion: 1,
    id: 'repeat-thanks',
    name: 'Repeat thanks',
    triggers: [{ type: 'segment', segment: 'repeat-buyers', on }],
    start: 'vip',
    nodes: {
      vip: {
        type: 'branch',
        conditions: [{ kind: 'segment', segment: 'vips' }],
        onTrue: 'vip-note',
        onFalse: 'thanks',
      },
      'vip-note': { type: 'send-email', template: 'tier-up', next: 'done' },
      thanks: { type: 'send-email', template: 'tips', next: 'done' },
      done: { type: 'exit' },
    },
    settings: { reentry: { mode: 'always' } },
  });
  const orderAt = (at: string): Event => ({
    name: 'order.placed',
    at,
    data: { total: { amountMinor: 4200, currency: 'EUR' } },
  });
  const simulateWith = async (document: unknown, timeline: Event[], contact: Record<string, unknown> = {}) => {
    const request = simulateRequestSchema.parse({
      contact: { email: 'ada@example.com', createdAt: '2026-01-01T00:00:00Z', ...contact },
      timeline,
      from: '2026-01-01T00:00:00Z',
      until: '2026-12-31T00:00:00Z',
    });
    const result = await runSimulation(segmentDeps, document, request);
    expect(result.failures, result.lines.join('\n')).toEqual([]);
    return result;
  };

  it('enters the journey at the second order in 90 days, and branches on another segment', async () => {
    const result = await simulateWith(
      journey('enter'),
      [orderAt('2026-03-01T10:00:00Z'), orderAt('2026-04-01T10:00:00Z')],
      {
        tags: ['vip'],
      },
    );
    expect(result.enrollments.map((e) => [e.enteredAt, e.trigger])).toEqual([
      ['2026-04-01T10:00:00.000Z', 'segment.entered'],
    ]);
    expect(result.emails.map((e) => e.template)).toEqual(['tier-up']);
  });

  it('takes the other branch for a contact outside the branch segment', async () => {
    const result = await simulateWith(journey('enter'), [
      orderAt('2026-03-01T10:00:00Z'),
      orderAt('2026-04-01T10:00:00Z'),
    ]);
    expect(result.emails.map((e) => e.template)).toEqual(['tips']);
  });

  it('enters a journey on leaving the segment when the older order falls out of the window', async () => {
    const result = await simulateWith(journey('exit'), [
      orderAt('2026-03-01T10:00:00Z'),
      orderAt('2026-04-01T10:00:00Z'),
    ]);
    // 2026-03-01 + 90 days: the first order no longer counts.
    expect(result.enrollments.map((e) => e.enteredAt)).toEqual(['2026-05-30T10:00:00.000Z']);
  });

  it('enters a journey when the churn risk score turns high, with no event on that day', async () => {
    const result = await simulateWith({ ...journey('enter'), triggers: [{ type: 'segment', segment: 'at-risk' }] }, [
      orderAt('2026-03-01T10:00:00Z'),
    ]);
    // One order: a 60-day cadence is assumed, and the risk is high from twice that (120 days).
    expect(result.enrollments.map((e) => e.enteredAt)).toEqual(['2026-06-29T10:00:00.000Z']);
  });

  it('refuses a journey naming a segment that does not exist', async () => {
    const refusal = await runSimulation(
      segmentDeps,
      { ...journey('enter'), triggers: [{ type: 'segment', segment: 'repeat-buyer' }] },
      simulateRequestSchema.parse({ contact: { email: 'ada@example.com' }, timeline: [] }),
    ).catch((e) => e);
    expect(refusal).toMatchObject({ kind: 'unprocessable', code: 'journey_has_violations' });
    expect(String(refusal.message)).toContain('segment "repeat-buyer", which does not exist');
  });
});
