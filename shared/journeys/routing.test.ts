import { beforeEach, describe, expect, it } from 'vitest';
import type { TimelineEvent } from '#core/contact.ts';
import { deterministicId } from '#core/ids.ts';
import { bucketOf } from '#workflows/conditions.ts';
import type { EventWaiter } from './model.ts';
import {
  CONTACT,
  checkout,
  document,
  enrollments,
  JOURNEY,
  land,
  memory,
  named,
  order,
  publish,
  resetRoutingFixture,
  routing,
  runtime,
  setNow,
  timeline,
} from './routing.fixture.ts';
import { latestEventTimes, routeEvent } from './routing.ts';

/** What one timeline event does to enrollments: goals, exits, waiters and inactivity. */

beforeEach(resetRoutingFixture);

describe('goals and exit rules', () => {
  const entered = '2026-03-02T10:00:00.000Z';

  it('converts on a goal event within the window, with the order total as revenue, and ends the enrollment', async () => {
    await publish(document({}, { goal: { event: 'order.placed', within: { days: 7 } } }));
    await land(checkout(entered));
    const [enrollment] = await enrollments();

    const result = await land(order('2026-03-04T10:00:00.000Z', 4200));

    expect(result.converted).toEqual([enrollment?.enrollmentId]);
    expect(result.exited).toEqual([enrollment?.enrollmentId]);
    expect(await enrollments()).toEqual([
      expect.objectContaining({
        status: 'exited',
        exitReason: 'converted',
        conversion: expect.objectContaining({ goal: 'order.placed', revenue: { amountMinor: 4200, currency: 'EUR' } }),
      }),
    ]);
    expect((await timeline('journey.converted'))[0]?.data).toMatchObject({
      goal: 'order.placed',
      revenue: { amountMinor: 4200, currency: 'EUR' },
    });
    expect(runtime.stopped).toEqual([
      { executionArn: enrollment?.executionArn, reason: expect.stringContaining('converted') },
    ]);
  });

  it('converts but keeps going when the goal does not exit', async () => {
    await publish(document({}, { goal: { event: 'order.placed', within: { days: 7 }, exit: false } }));
    await land(checkout(entered));

    const result = await land(order('2026-03-04T10:00:00.000Z'));

    expect(result.converted).toHaveLength(1);
    expect(result.exited).toEqual([]);
    expect(await enrollments()).toEqual([
      expect.objectContaining({ status: 'active', conversion: expect.any(Object) }),
    ]);
    expect(runtime.stopped).toEqual([]);
  });

  it.each([
    ['after the window', '2026-03-09T10:00:01.000Z'],
    ['before the contact entered', '2026-03-02T09:59:00.000Z'],
  ])('does not convert on a goal event %s', async (_, at) => {
    await publish(document({}, { goal: { event: 'order.placed', within: { days: 7 } } }));
    await land(checkout(entered));

    const result = await land(order(at));

    expect(result.converted).toEqual([]);
    expect(await enrollments()).toEqual([expect.objectContaining({ status: 'active' })]);
    expect(await timeline('journey.converted')).toEqual([]);
    expect(runtime.stopped).toEqual([]);
  });

  it('does not convert on a goal event that fails the goal filters', async () => {
    await publish(
      document(
        {},
        {
          goal: {
            event: 'order.placed',
            where: [{ path: 'total.amountMinor', op: 'gte', value: 5000 }],
            within: { days: 7 },
          },
        },
      ),
    );
    await land(checkout(entered));

    expect((await land(order('2026-03-03T10:00:00.000Z', 4200))).converted).toEqual([]);
    expect((await land(order('2026-03-03T11:00:00.000Z', 6000))).converted).toHaveLength(1);
  });

  it('counts a holdout conversion, marked as such, without ending anything', async () => {
    await publish(document({}, { holdoutPercent: 50, goal: { event: 'order.placed', within: { days: 7 } } }));
    const cartId = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].find(
      (id) => bucketOf(deterministicId('e', JOURNEY, CONTACT, checkout(entered, id).eventId), 'holdout') < 50,
    );
    await land(checkout(entered, cartId));

    const result = await land(order('2026-03-03T10:00:00.000Z'));

    expect(result.converted).toHaveLength(1);
    expect(result.exited).toEqual([]);
    expect((await timeline('journey.converted'))[0]?.data).toMatchObject({ holdout: true });
  });

  it('ends an active enrollment whose exit rule now holds and stops its execution', async () => {
    await publish(
      document({}, { exitWhen: [{ kind: 'event', event: 'subscription.started', within: 'since-entry' }] }),
    );
    await land(checkout(entered));
    const [enrollment] = await enrollments();

    const result = await land(named('subscription.started', '2026-03-03T10:00:00.000Z'));

    expect(result.exited).toEqual([enrollment?.enrollmentId]);
    expect(await enrollments()).toEqual([expect.objectContaining({ status: 'exited', exitReason: 'exit-rule' })]);
    expect((await timeline('journey.exited'))[0]?.data).toMatchObject({ status: 'exited', reason: 'exit-rule' });
    expect(runtime.stopped).toEqual([{ executionArn: enrollment?.executionArn, reason: expect.any(String) }]);
  });

  it('leaves an enrollment alone when its exit rule does not hold', async () => {
    await publish(
      document({}, { exitWhen: [{ kind: 'event', event: 'subscription.started', within: 'since-entry' }] }),
    );
    await land(checkout(entered));

    const result = await land(named('payment.failed', '2026-03-03T10:00:00.000Z'));

    expect(result.exited).toEqual([]);
    expect(await enrollments()).toEqual([expect.objectContaining({ status: 'active' })]);
    expect(runtime.stopped).toEqual([]);
  });
});

describe('resuming wait-for-event waiters', () => {
  const waiter = (overrides: Partial<EventWaiter> = {}): EventWaiter => ({
    contactId: CONTACT,
    event: 'order.placed',
    enrollmentId: 'e-1',
    nodeId: 'wait-for-order',
    journeyId: JOURNEY,
    token: 'token-1',
    where: [],
    since: '2026-03-02T10:00:00.000Z',
    expiresAt: Date.parse('2026-04-01T00:00:00Z') / 1000,
    ...overrides,
  });
  const remaining = () => memory.store.listWaiters(CONTACT, 'order.placed');

  it('resumes a matching waiter with the event and deletes it', async () => {
    await memory.store.putWaiter(waiter({ correlation: { key: 'cartId', value: 'cart-9' } }));
    const event = order('2026-03-02T11:00:00.000Z', 4200, 'cart-9');

    const result = await land(event);

    expect(result.resumed).toEqual(['e-1']);
    expect(runtime.resumed).toEqual([
      {
        taskToken: 'token-1',
        output: { eventId: event.eventId, name: 'order.placed', at: event.at, data: event.data },
      },
    ]);
    expect(await remaining()).toEqual([]);
  });

  it.each([
    ['the filters fail', waiter({ where: [{ path: 'total.amountMinor', op: 'gte', value: 10_000 }] })],
    ['the correlation value differs', waiter({ correlation: { key: 'cartId', value: 'cart-1' } })],
    ['the trigger had no correlation value', waiter({ correlation: { key: 'cartId', value: null } })],
    ['the event happened before the wait began', waiter({ since: '2026-03-02T12:00:00.000Z' })],
  ])('leaves a waiter waiting when %s', async (_, registered) => {
    await memory.store.putWaiter(registered);

    const result = await land(order('2026-03-02T11:00:00.000Z', 4200, 'cart-9'));

    expect(result.resumed).toEqual([]);
    expect(runtime.resumed).toEqual([]);
    expect(await remaining()).toHaveLength(1);
  });

  it('does not let the event that enrolled the contact, routed again, end its own wait', async () => {
    await publish(document({ triggers: [{ type: 'event', event: 'order.placed' }] }, { reentry: { mode: 'always' } }));
    const first = order('2026-03-02T10:00:00.000Z');
    const {
      enrollments: [enrollmentId],
    } = await land(first);
    // The journey now waits for a second order, counting from entry (the first order's time).
    await memory.store.putWaiter(waiter({ enrollmentId, since: first.at }));

    const replay = await routeEvent(routing(), first, { createdContact: false });
    const second = await land(order('2026-03-03T10:00:00.000Z'));

    expect(replay.resumed).toEqual([]);
    expect(second.resumed).toEqual([enrollmentId]);
    expect(runtime.resumed.map((r) => (r.output as { eventId: string }).eventId)).toEqual([
      'order:2026-03-03T10:00:00.000Z',
    ]);
  });

  it('deletes a waiter whose execution is gone without reporting it resumed', async () => {
    await memory.store.putWaiter(waiter());
    await runtime.resume('token-1', 'earlier');

    const result = await land(order('2026-03-02T11:00:00.000Z'));

    expect(result.resumed).toEqual([]);
    expect(await remaining()).toEqual([]);
  });
});

describe('inactivity triggers', () => {
  const inactivity = () =>
    document({
      triggers: [{ type: 'inactivity', event: 'order.placed', after: { days: 30 } }],
    });

  it('arms a due item at the end of the silence that each event starts', async () => {
    await publish(inactivity());

    await land(order('2026-03-02T10:00:00.000Z'));

    expect(await memory.store.listDue('2027-01-01T00:00:00.000Z', 10)).toEqual([
      {
        dueAt: '2026-04-01T10:00:00.000Z',
        kind: 'inactivity',
        journeyId: JOURNEY,
        contactId: CONTACT,
        trigger: 0,
        basis: '2026-03-02T10:00:00.000Z',
      },
    ]);
    // The event's time is kept on the contact by refresh-contact, with its scores.
    expect((await memory.store.getContact(CONTACT))?.lastEventAt?.['order.placed']).toBeUndefined();
  });

  it('keeps the times of business events and segment changes, the latest of each name', () => {
    const at = (name: TimelineEvent['name'], time: string) => ({ name, at: `2026-03-0${time}T10:00:00.000Z` });
    expect(
      latestEventTimes([
        at('order.placed', '2'),
        at('order.placed', '4'),
        at('order.placed', '3'),
        at('segment.entered', '2'),
        at('email.opened', '5'),
        at('journey.entered', '5'),
      ]),
    ).toEqual({ 'order.placed': '2026-03-04T10:00:00.000Z', 'segment.entered': '2026-03-02T10:00:00.000Z' });
  });

  it('arms a late-arriving old event for now rather than the past', async () => {
    await publish(inactivity());
    setNow(new Date('2026-05-01T00:00:00.000Z'));

    await land(order('2026-03-02T10:00:00.000Z'));

    expect((await memory.store.listDue('2027-01-01T00:00:00.000Z', 10))[0]?.dueAt).toBe('2026-05-01T00:00:00.000Z');
  });

  it('arms nothing for other events', async () => {
    await publish(inactivity());

    await land(named('payment.failed', '2026-03-02T10:00:00.000Z'));

    expect(await memory.store.listDue('2027-01-01T00:00:00.000Z', 10)).toEqual([]);
  });
});
