import { describe, expect, it } from 'vitest';
import type { TimelineEvent } from '#core/contact.ts';
import { createVersionCache } from '#journeys/context.ts';
import type { JourneyVersion } from '#journeys/model.ts';
import { sendVisits } from '#journeys/visits.ts';
import { journeySchema } from '#workflows/journey.schema.ts';
import { BUILT_IN_JOURNEYS } from '#workflows/journeys/index.ts';
import { timelineEvent as event, orderPlaced as order } from '../../test/support/timeline.ts';
import { aggregateEvents, journeyReport, kpiReport } from './aggregates.ts';
import { createMemoryAggregates } from './memory-aggregates.ts';
import type { AggregateStore } from './store.ts';

/** One event as a batch of its own: applied, or a duplicate (a replay). */
const aggregateEvent = async (store: AggregateStore, e: TimelineEvent) =>
  (await aggregateEvents(store, [e])).applied === 1 ? 'applied' : 'duplicate';

describe('dashboard aggregates', () => {
  it('turns events into KPIs once, however often each is delivered', async () => {
    const store = createMemoryAggregates();
    const events = [
      event('c1', 'ada', 'contact.created', '2026-11-02T09:00:00Z'),
      event('f1', 'ada', 'form.submitted', '2026-11-02T09:00:00Z', { formId: 'f', fields: {} }),
      order('o1', 'ada', '2026-11-03T10:00:00Z', 5000),
      order('o2', 'ada', '2026-11-20T10:00:00Z', 3000),
      event('c2', 'bob', 'contact.created', '2026-11-05T09:00:00Z'),
      order('o3', 'bob', '2026-11-06T10:00:00Z', 10_000),
      event('r1', 'bob', 'order.refunded', '2026-11-07T10:00:00Z', {
        orderId: 'o3',
        amount: { amountMinor: 2000, currency: 'EUR' },
      }),
    ];
    for (const e of events) expect(await aggregateEvent(store, e)).toBe('applied');
    // A replayed stream record adds nothing.
    expect(await aggregateEvent(store, events[2] as TimelineEvent)).toBe('duplicate');

    const kpis = await kpiReport(store, { from: '2026-11-01', to: '2026-11-30' });
    expect(kpis.newContacts).toBe(2);
    expect(kpis.orders).toBe(3);
    expect(kpis.revenue).toMatchObject({ currency: 'EUR', netMinor: 16_000, salesMinor: 18_000, refundsMinor: 2000 });
    expect(kpis.averageOrderValueMinor).toBe(6000);
    expect(kpis.repeatPurchase).toEqual({ count: 1, of: 2, rate: 0.5 });
    expect(kpis.historicClvMinor).toBe(8000);
  });

  it('applies a stream batch together with the same figures as one event at a time, a replay included', async () => {
    const events = [
      event('c1', 'ada', 'contact.created', '2026-11-02T09:00:00Z'),
      order('o1', 'ada', '2026-11-03T10:00:00Z', 5000),
      order('o2', 'ada', '2026-11-20T10:00:00Z', 3000),
      event('c2', 'bob', 'contact.created', '2026-11-05T09:00:00Z'),
      order('o3', 'bob', '2026-11-06T10:00:00Z', 10_000),
    ];
    // Days apart, so the events touch many counters: the batch needs several transactions.
    const many = Array.from({ length: 60 }, (_, i) =>
      order(`m${i}`, `c${i % 7}`, new Date(Date.UTC(2026, 9, 1 + i, 10)).toISOString(), 100 + i),
    );
    const one = createMemoryAggregates();
    for (const e of [...events, ...many]) await aggregateEvent(one, e);
    const batched = createMemoryAggregates();
    expect(await aggregateEvents(batched, events.slice(0, 2))).toEqual({ applied: 2, duplicates: 0 });
    // The next batch repeats an event already applied: it is skipped, the others applied.
    expect(await aggregateEvents(batched, [...events.slice(1), ...many])).toEqual({ applied: 63, duplicates: 1 });
    expect(await aggregateEvents(batched, many)).toEqual({ applied: 0, duplicates: 60 });

    const period = { from: '2026-10-01', to: '2026-11-30' };
    expect(await kpiReport(batched, period)).toEqual(await kpiReport(one, period));
    const states = async (store: AggregateStore) =>
      [...(await store.getKpiStates(['ada', 'bob', 'c3']))].map(([id, stored]) => [id, stored.state]);
    expect(await states(batched)).toEqual(await states(one));
  });

  it('reads no contact state for a contact created in the batch, nor for events that need none', async () => {
    const store = createMemoryAggregates();
    const asked: string[][] = [];
    const getKpiStates = store.getKpiStates.bind(store);
    store.getKpiStates = (ids) => {
      asked.push([...ids]);
      return getKpiStates(ids);
    };
    const first = [
      event('c1', 'ada', 'contact.created', '2026-11-02T09:00:00Z'),
      event('f1', 'ada', 'form.submitted', '2026-11-02T09:00:00Z', { formId: 'f', fields: {} }),
      order('o0', 'bob', '2026-11-02T10:00:00Z', 1000),
    ];
    expect(await aggregateEvents(store, first)).toEqual({ applied: 3, duplicates: 0 });
    expect(asked).toEqual([['bob']]);
    expect(await aggregateEvents(store, [event('s1', 'ada', 'email.sent', '2026-11-02T09:01:00Z')])).toEqual({
      applied: 1,
      duplicates: 0,
    });
    expect(asked).toHaveLength(1);
    // Replayed, the batch changes nothing: its events are skipped.
    expect(await aggregateEvents(store, first)).toEqual({ applied: 0, duplicates: 3 });

    const one = createMemoryAggregates();
    for (const e of first) await aggregateEvent(one, e);
    await aggregateEvent(one, event('s1', 'ada', 'email.sent', '2026-11-02T09:01:00Z'));
    const period = { from: '2026-11-01', to: '2026-11-30' };
    expect(await kpiReport(store, period)).toEqual(await kpiReport(one, period));
    expect((await store.getKpiStates(['ada'])).get('ada')?.state).toMatchObject({ createdAt: expect.any(String) });
  });

  it("leaves out an anonymous contact's events copied to the contact it was merged into", async () => {
    const store = createMemoryAggregates();
    const anonymous = [
      event('c-anon', 'anon', 'contact.created', '2026-11-02T09:00:00Z'),
      order('o-anon', 'anon', '2026-11-02T10:00:00Z', 5000),
    ];
    await aggregateEvents(store, anonymous);
    const copies = anonymous.map((e) => ({ ...e, contactId: 'ada', mergedFrom: 'anon' }));

    expect(
      await aggregateEvents(store, [event('c-ada', 'ada', 'contact.created', '2026-11-03T09:00:00Z'), ...copies]),
    ).toEqual({
      applied: 1,
      duplicates: 2,
    });

    const kpis = await kpiReport(store, { from: '2026-11-01', to: '2026-11-30' });
    expect(kpis.orders).toBe(1);
    expect(kpis.newContacts).toBe(2);
    expect((await store.getKpiStates(['ada'])).get('ada')?.state).toEqual({ createdAt: '2026-11-03T09:00:00.000Z' });
  });

  it('reports each journey version from its events: entered, converted against the holdout, exits', async () => {
    const store = createMemoryAggregates();
    const j = (id: string, name: TimelineEvent['name'], data: Record<string, unknown>) =>
      aggregateEvent(
        store,
        event(id, `c-${id}`, name, '2026-11-02T10:00:00Z', { journeyId: 'welcome', journeyVersion: 2, ...data }),
      );
    await j('e1', 'journey.entered', { enrollmentId: 'e1' });
    await j('e2', 'journey.entered', { enrollmentId: 'e2' });
    await j('e3', 'journey.entered', { enrollmentId: 'e3', holdout: true });
    await j('v1', 'journey.converted', {
      enrollmentId: 'e1',
      goal: 'order.placed',
      revenue: { amountMinor: 4200, currency: 'EUR' },
    });
    await j('x1', 'journey.exited', { enrollmentId: 'e1', status: 'exited', reason: 'converted' });
    // A replayed journey event counts once.
    expect(await j('e2', 'journey.entered', { enrollmentId: 'e2' })).toBe('duplicate');
    const [report] = await journeyReport(store);
    expect(report).toMatchObject({
      journeyId: 'welcome',
      version: 2,
      entered: 3,
      holdout: 1,
      treated: 2,
      active: 1,
      converted: { treated: 1, holdout: 0 },
      conversionRate: { treated: 0.5, holdout: 0 },
      exitedByReason: { converted: 1 },
      revenue: { EUR: 4200 },
    });
  });
});

describe("journey sends' node visits, counted from the events the sends write", () => {
  const onboarding = journeySchema.parse(BUILT_IN_JOURNEYS.onboarding);
  const versions = createVersionCache({
    getVersion: async (journeyId, version) =>
      journeyId === 'onboarding' && version === 1 ? ({ document: onboarding } as JourneyVersion) : undefined,
  });
  const send = (id: string, name: TimelineEvent['name'], nodeId: string, extra: Record<string, unknown> = {}) =>
    event(id, 'ada', name, '2026-11-02T09:00:00Z', {
      journeyId: 'onboarding',
      journeyVersion: 1,
      enrollmentId: 'e-1',
      nodeId,
      template: 'welcome',
      ...extra,
    });
  const node = async (store: ReturnType<typeof createMemoryAggregates>) =>
    (await store.getCounters(['journey#onboarding#v1']))['journey#onboarding#v1'];

  it('counts the send and the Wait after it once: a deferral and the send in one batch, then a replay', async () => {
    const store = createMemoryAggregates();
    const batch = [
      send('d1', 'email.deferred', 'welcome-email', { reason: 'quiet-hours' }),
      send('s1', 'email.sent', 'welcome-email', { messageId: 'm-1' }),
    ];
    await aggregateEvents(store, batch, [], await sendVisits(versions, batch));
    await aggregateEvents(store, batch.slice(1), [], await sendVisits(versions, batch.slice(1)));

    expect(await node(store)).toMatchObject({
      'node_welcome-email': 1,
      'node_wait-2-days': 1,
      // The send (Task + Choice) and the Wait; one invocation, one email.
      transitions: 3,
      invocations: 1,
      emails: 1,
    });
  });

  it('writes a batch at once when its only counted-before entry is a visit (a deferral counted earlier, now sent)', async () => {
    const store = createMemoryAggregates();
    const calls = { applyBatch: 0, addOnce: 0 };
    const counting: typeof store = {
      ...store,
      applyBatch: (input) => {
        calls.applyBatch++;
        return store.applyBatch(input);
      },
      addOnce: (...args) => {
        calls.addOnce++;
        return store.addOnce(...args);
      },
    };
    const deferred = [send('d1', 'email.deferred', 'welcome-email', { reason: 'quiet-hours' })];
    await aggregateEvents(counting, deferred, [], await sendVisits(versions, deferred));
    const later = [
      send('s1', 'email.sent', 'welcome-email', { messageId: 'm-1' }),
      order('o1', 'ada', '2026-11-03T10:00:00Z', 5000),
    ];

    const result = await aggregateEvents(counting, later, [], await sendVisits(versions, later));

    expect(result).toEqual({ applied: 2, duplicates: 1 });
    // The first batch, then the second twice (the second time without the visit's marker).
    expect(calls).toEqual({ applyBatch: 3, addOnce: 0 });
    expect(await node(store)).toMatchObject({ 'node_welcome-email': 1, 'node_wait-2-days': 1, transitions: 3 });
    const kpis = await kpiReport(store, { from: '2026-11-01', to: '2026-11-30' });
    expect(kpis.orders).toBe(1);
  });

  it('counts a skipped send, and leaves alone events of other kinds, of unknown versions and from before', async () => {
    const store = createMemoryAggregates();
    const batch = [
      send('k1', 'email.skipped', 'tips-email', { enrollmentId: 'e-2', reason: 'suppressed' }),
      send('s2', 'email.sent', 'welcome-email', { journeyVersion: 9 }),
      send('s3', 'email.sent', 'welcome-email', { journeyVersion: undefined }),
      send('o1', 'email.opened', 'welcome-email'),
    ];

    await aggregateEvents(store, batch, [], await sendVisits(versions, batch));

    expect(await node(store)).toMatchObject({ 'node_tips-email': 1, transitions: 2, invocations: 1, emails: 1 });
    expect(await node(store)).not.toHaveProperty('node_welcome-email');
  });
});
