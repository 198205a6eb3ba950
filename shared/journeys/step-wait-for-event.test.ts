import { beforeEach, describe, expect, it } from 'vitest';
import { journeyNodeSchema } from '#workflows/journey.schema.ts';
import {
  CONTACT,
  deps,
  document,
  ENTERED,
  enroll,
  enrollment,
  enrollmentId,
  event,
  memory,
  now,
  request,
  resetStepFixture,
  runtime,
} from './step.fixture.ts';
import { runJourneyStep } from './step.ts';

/** Wait-for-event registrations through runJourneyStep, and the events already there. */

beforeEach(resetStepFixture);

describe('wait-for-event', () => {
  const waiters = () => memory.store.listWaiters(CONTACT, 'order.placed');

  it('registers a waiter for the correlated event since entry and keeps waiting', async () => {
    await enroll();

    const result = await runJourneyStep(deps(), request('wait-order', { taskToken: 'token-1' }));

    expect(result).toEqual({ waiting: true });
    expect(await waiters()).toEqual([
      expect.objectContaining({
        enrollmentId,
        nodeId: 'wait-order',
        token: 'token-1',
        correlation: { key: 'cartId', value: 'cart-9' },
        since: ENTERED,
      }),
    ]);
    expect(runtime.resumed).toEqual([]);
  });

  it('resumes its own token at once when a matching event is already on the timeline', async () => {
    await enroll();
    const other = event('order.placed', '2026-03-02T10:01:00.000Z', { cartId: 'cart-1' });
    const match = event('order.placed', '2026-03-02T10:02:00.000Z', { cartId: 'cart-9' });
    await memory.store.appendEvent(other);
    await memory.store.appendEvent(match);

    const result = await runJourneyStep(deps(), request('wait-order', { taskToken: 'token-1' }));

    expect(result).toEqual({ waiting: true, resumedAt: now.toISOString() });
    expect(runtime.resumed).toEqual([
      {
        taskToken: 'token-1',
        output: { eventId: match.eventId, name: 'order.placed', at: match.at, data: match.data },
      },
    ]);
    expect(await waiters()).toEqual([]);
  });

  it("converts the journey's goal with the event it finds before resuming, so the goal node after it cannot claim the conversion", async () => {
    const goal = { event: 'order.placed', within: { days: 7 }, exit: false };
    await enroll(8900, {}, { ...document, settings: { ...document.settings, goal } });
    const order = event('order.placed', '2026-03-02T10:02:00.000Z', {
      cartId: 'cart-9',
      total: { amountMinor: 8900, currency: 'EUR' },
    });
    await memory.store.appendEvent(order);

    await runJourneyStep(deps(), request('wait-order', { taskToken: 'token-1' }));
    // The wait leads to the goal node `bought`, which finds the enrollment converted already.
    await runJourneyStep(deps(), request('bought'));

    expect(await enrollment()).toMatchObject({
      status: 'completed',
      conversion: { goal: 'order.placed', eventId: order.eventId, revenue: { amountMinor: 8900, currency: 'EUR' } },
    });
    expect(runtime.resumed).toHaveLength(1);
  });

  it('ends the enrollment as converted instead of resuming when the goal exits', async () => {
    const goal = { event: 'order.placed', within: { days: 7 }, exit: true };
    await enroll(8900, {}, { ...document, settings: { ...document.settings, goal } });
    await memory.store.appendEvent(event('order.placed', '2026-03-02T10:02:00.000Z', { cartId: 'cart-9' }));

    await expect(runJourneyStep(deps(), request('wait-order', { taskToken: 'token-1' }))).rejects.toMatchObject({
      name: 'EnrollmentExited',
    });

    expect(await enrollment()).toMatchObject({
      status: 'exited',
      exitReason: 'converted',
      conversion: { goal: 'order.placed' },
    });
    expect(runtime.resumed).toEqual([]);
    expect(await waiters()).toEqual([]);
  });

  it('does not resume on an event from before the wait started when it counts from the wait', async () => {
    await enroll();
    await memory.store.appendEvent(event('order.placed', '2026-03-02T10:01:00.000Z', { cartId: 'cart-9' }));
    const fromStart = journeyNodeSchema.parse({ ...document.nodes['wait-order'], since: 'wait-start' });

    const result = await runJourneyStep(
      deps(),
      request('wait-order', { node: fromStart, taskToken: 'token-1', waitStartedAt: '2026-03-02T10:03:00.000Z' }),
    );

    expect(result).toEqual({ waiting: true });
    expect(runtime.resumed).toEqual([]);
    expect(await waiters()).toEqual([expect.objectContaining({ since: '2026-03-02T10:03:00.000Z' })]);
  });

  it('needs the task token', async () => {
    await enroll();

    await expect(runJourneyStep(deps(), request('wait-order'))).rejects.toThrow('task token');
  });
});
