import { beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '#core/clock.ts';
import type { TimelineEvent } from '#core/contact.ts';
import { deterministicId } from '#core/ids.ts';
import { builtInTemplateIds } from '#messaging/templating/compiled-built-ins.ts';
import { createMemoryJourneys, createMemoryStore } from '#platform/memory-store.ts';
import { bucketOf } from '#workflows/conditions.ts';
import { addTestContact } from '../../test/support/memory.ts';
import { changeStatus, type JourneyServiceDeps, publishJourney, saveDraft } from './lifecycle.ts';
import { latestEventTimes, type RoutingDeps, routeEvent } from './routing.ts';
import type { EventWaiter } from './store.ts';

/** What one timeline event does to journeys: entries, goals, exits, waiters and inactivity. */

const CONTACT = 'c-ada';
const JOURNEY = 'cart-flow';
let now = new Date('2026-03-02T09:00:00Z');
const clock: Clock = { now: () => now };

let memory: ReturnType<typeof createMemoryStore>;
let runtime: ReturnType<typeof createMemoryJourneys>;

const journeyDeps = (): JourneyServiceDeps => ({
  store: memory.store,
  runtime,
  clock,
  targets: { sendEmail: 'send-email', endEnrollment: 'end-enrollment', journeyStep: 'journey-step' },
  validationContext: async () => ({ templates: builtInTemplateIds }),
});
const routing = (): RoutingDeps => ({ store: memory.store, runtime, clock });

const document = (overrides: Record<string, unknown> = {}, settings: Record<string, unknown> = {}) => ({
  schemaVersion: 1,
  id: JOURNEY,
  name: 'Cart flow',
  triggers: [
    {
      type: 'event',
      event: 'checkout.started',
      where: [{ path: 'total.amountMinor', op: 'gte', value: 1000 }],
      correlationKey: 'cartId',
    },
  ],
  start: 'pause',
  nodes: { pause: { type: 'wait', duration: { days: 1 }, next: 'done' }, done: { type: 'exit' } },
  settings: { reentry: { mode: 'always' }, ...settings },
  ...overrides,
});

async function publish(doc: Record<string, unknown> = document()) {
  await saveDraft(journeyDeps(), JOURNEY, doc, 'ada');
  return publishJourney(journeyDeps(), JOURNEY, 'ada');
}

const addContact = (id = CONTACT) => addTestContact(memory.store, id);

const checkout = (at: string, cartId = 'cart-9', amountMinor = 8900): TimelineEvent => ({
  eventId: `checkout:${cartId}:${at}`,
  contactId: CONTACT,
  name: 'checkout.started',
  at,
  data: { cartId, total: { amountMinor, currency: 'EUR' } },
});
const order = (at: string, amountMinor = 4200, cartId = 'cart-9'): TimelineEvent => ({
  eventId: `order:${at}`,
  contactId: CONTACT,
  name: 'order.placed',
  at,
  data: { orderId: `o-${at}`, cartId, total: { amountMinor, currency: 'EUR' } },
});
const named = (name: TimelineEvent['name'], at: string, data: Record<string, unknown> = {}): TimelineEvent => ({
  eventId: `${name}:${at}`,
  contactId: CONTACT,
  name,
  at,
  data,
});

/** Appends the event to the timeline and routes it, as processing the inbox does. */
async function land(event: TimelineEvent, createdContact = false) {
  now = new Date(Math.max(now.getTime(), Date.parse(event.at)));
  await memory.store.appendEvent(event);
  return routeEvent(routing(), event, { createdContact });
}

const enrollments = () => memory.store.listEnrollments(CONTACT);
const timeline = async (name: string) => (await memory.store.listEvents(CONTACT, 100)).filter((e) => e.name === name);

beforeEach(async () => {
  now = new Date('2026-03-02T09:00:00Z');
  memory = createMemoryStore();
  runtime = createMemoryJourneys();
  await addContact();
});

describe('entering a journey', () => {
  it('starts one execution on the live version with the documented input', async () => {
    const version = await publish();
    const event = checkout('2026-03-02T10:00:00.000Z');

    const result = await land(event);

    const enrollmentId = deterministicId('e', JOURNEY, CONTACT, event.eventId);
    expect(result.enrollments).toEqual([enrollmentId]);
    expect(runtime.started).toEqual([
      {
        stateMachineArn: version.versionArn,
        enrollmentId,
        input: {
          contactId: CONTACT,
          enrollmentId,
          journeyId: JOURNEY,
          journeyVersion: 1,
          enteredAt: '2026-03-02T10:00:00.000Z',
          trigger: {
            type: 'event',
            eventId: event.eventId,
            name: 'checkout.started',
            at: event.at,
            correlation: 'cart-9',
          },
        },
      },
    ]);
    expect(await enrollments()).toEqual([
      expect.objectContaining({ enrollmentId, status: 'active', journeyVersion: 1, executionArn: expect.any(String) }),
    ]);
    expect(await timeline('journey.entered')).toEqual([
      expect.objectContaining({
        data: {
          journeyId: JOURNEY,
          journeyVersion: 1,
          enrollmentId,
          trigger: 'event',
          triggerEvent: 'checkout.started',
        },
      }),
    ]);
  });

  it('records a null correlation when the event lacks the correlation key', async () => {
    await publish();
    const event = { ...checkout('2026-03-02T10:00:00.000Z'), data: { total: { amountMinor: 8900, currency: 'EUR' } } };

    await land(event);

    expect(runtime.started[0]?.input.trigger).toMatchObject({ correlation: null });
  });

  it('takes no one whose event fails the trigger filters', async () => {
    await publish();

    const result = await land(checkout('2026-03-02T10:00:00.000Z', 'cart-9', 500));

    expect(result.enrollments).toEqual([]);
    expect(runtime.started).toEqual([]);
    expect(await enrollments()).toEqual([]);
  });

  it('takes only contacts the event created when the trigger is for new contacts only', async () => {
    await publish(
      document(
        { triggers: [{ type: 'event', event: 'form.submitted', newContactsOnly: true }] },
        { reentry: { mode: 'always' } },
      ),
    );

    const existing = await land(named('form.submitted', '2026-03-02T10:00:00.000Z'));
    const created = await land(named('form.submitted', '2026-03-02T11:00:00.000Z'), true);

    expect(existing.enrollments).toEqual([]);
    expect(created.enrollments).toHaveLength(1);
    expect(runtime.started).toHaveLength(1);
  });

  it('starts nothing new when the same event is routed again', async () => {
    await publish();
    const event = checkout('2026-03-02T10:00:00.000Z');
    await land(event);

    await routeEvent(routing(), event, { createdContact: false });

    expect(runtime.started).toHaveLength(1);
    expect(await enrollments()).toHaveLength(1);
    expect(await timeline('journey.entered')).toHaveLength(1);
  });

  it('takes no one into a paused journey', async () => {
    await publish();
    await changeStatus(journeyDeps(), JOURNEY, 'pause', 'ada');

    const result = await land(checkout('2026-03-02T10:00:00.000Z'));

    expect(result.enrollments).toEqual([]);
    expect(runtime.started).toEqual([]);
  });

  it('finishes a start replayed after a newer version was published on the version the contact entered', async () => {
    const v1 = await publish();
    const event = checkout('2026-03-02T10:00:00.000Z');
    await memory.store.appendEvent(event);
    const crashing = { ...routing(), runtime: { ...runtime, start: () => Promise.reject(new Error('network down')) } };
    await expect(routeEvent(crashing, event, { createdContact: false })).rejects.toThrow('network down');
    const v2 = await publish(document({ name: 'Cart flow 2' }));

    await routeEvent(routing(), event, { createdContact: false });

    expect(v2.versionArn).not.toBe(v1.versionArn);
    expect(runtime.started).toHaveLength(1);
    expect(runtime.started[0]).toMatchObject({ stateMachineArn: v1.versionArn, input: { journeyVersion: 1 } });
    expect(await enrollments()).toEqual([
      expect.objectContaining({ journeyVersion: 1, executionArn: expect.any(String) }),
    ]);
  });
});

describe('entry rules', () => {
  const end = async () => {
    for (const e of await enrollments()) {
      if (e.status === 'active')
        await memory.store.endEnrollment(CONTACT, e.enrollmentId, 'completed', now.toISOString());
    }
  };

  it('never lets a contact in twice with re-entry "never"', async () => {
    await publish(document({}, { reentry: { mode: 'never' } }));
    await land(checkout('2026-03-02T10:00:00.000Z', 'cart-1'));
    await end();

    const again = await land(checkout('2026-03-05T10:00:00.000Z', 'cart-2'));

    expect(again.enrollments).toEqual([]);
    expect(runtime.started).toHaveLength(1);
  });

  it('lets a contact in again with re-entry "always" only once the previous enrollment ended', async () => {
    await publish(document({}, { reentry: { mode: 'always' } }));
    await land(checkout('2026-03-02T10:00:00.000Z', 'cart-1'));

    const whileActive = await land(checkout('2026-03-02T11:00:00.000Z', 'cart-2'));
    await end();
    const afterwards = await land(checkout('2026-03-02T12:00:00.000Z', 'cart-3'));

    expect(whileActive.enrollments).toEqual([]);
    expect(afterwards.enrollments).toHaveLength(1);
    expect(runtime.started).toHaveLength(2);
  });

  it('lets a contact in again only after the cool-off, up to the maximum entries', async () => {
    await publish(document({}, { reentry: { mode: 'after-cool-off', coolOff: { days: 7 } }, maxEntries: 2 }));
    await land(checkout('2026-03-02T10:00:00.000Z', 'cart-1'));
    await end();

    const tooSoon = await land(checkout('2026-03-05T10:00:00.000Z', 'cart-2'));
    const later = await land(checkout('2026-03-10T10:00:00.000Z', 'cart-3'));
    await end();
    const third = await land(checkout('2026-03-30T10:00:00.000Z', 'cart-4'));

    expect(tooSoon.enrollments).toEqual([]);
    expect(later.enrollments).toHaveLength(1);
    expect(third.enrollments).toEqual([]);
    expect(runtime.started).toHaveLength(2);
  });

  it('keeps a holdout out of the journey: no execution, but journey.entered marked holdout', async () => {
    await publish(document({}, { holdoutPercent: 50 }));
    const at = '2026-03-02T10:00:00.000Z';
    const cartId = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].find(
      (id) => bucketOf(deterministicId('e', JOURNEY, CONTACT, checkout(at, id).eventId), 'holdout') < 50,
    );
    if (!cartId) throw new Error('no cart id lands in the holdout');

    const result = await land(checkout(at, cartId));

    expect(result.enrollments).toHaveLength(1);
    expect(runtime.started).toEqual([]);
    expect(await enrollments()).toEqual([expect.objectContaining({ status: 'holdout' })]);
    expect((await timeline('journey.entered'))[0]?.data).toMatchObject({ holdout: true });
  });
});

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
    now = new Date('2026-05-01T00:00:00.000Z');

    await land(order('2026-03-02T10:00:00.000Z'));

    expect((await memory.store.listDue('2027-01-01T00:00:00.000Z', 10))[0]?.dueAt).toBe('2026-05-01T00:00:00.000Z');
  });

  it('arms nothing for other events', async () => {
    await publish(inactivity());

    await land(named('payment.failed', '2026-03-02T10:00:00.000Z'));

    expect(await memory.store.listDue('2027-01-01T00:00:00.000Z', 10)).toEqual([]);
  });
});
