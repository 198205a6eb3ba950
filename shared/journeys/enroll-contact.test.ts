import { beforeEach, describe, expect, it } from 'vitest';
import { deterministicId } from '#core/ids.ts';
import { bucketOf } from '#workflows/conditions.ts';
import { changeStatus } from './lifecycle.ts';
import {
  CONTACT,
  checkout,
  document,
  enrollments,
  JOURNEY,
  journeyDeps,
  land,
  memory,
  named,
  now,
  publish,
  resetRoutingFixture,
  routing,
  runtime,
  timeline,
} from './routing.fixture.ts';
import { routeEvent } from './routing.ts';

/** Entering journeys as events land: the trigger's filters, the entry rules and the holdout. */

beforeEach(resetRoutingFixture);

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
