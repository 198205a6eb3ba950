import { beforeEach, describe, expect, it } from 'vitest';
import { journeyNodeSchema } from '#workflows/journey.schema.ts';
import { guard } from './guard.ts';
import {
  CONTACT,
  deps,
  ENTERED,
  enroll,
  enrollment,
  enrollmentId,
  JOURNEY,
  memory,
  now,
  outbound,
  request,
  resetStepFixture,
  timeline,
} from './step.fixture.ts';
import { runJourneyStep } from './step.ts';
import type { StepDeps } from './step.types.ts';

/** One node at a time through runJourneyStep, against the memory store and recording fakes. */

beforeEach(resetStepFixture);

describe('guard', () => {
  it('throws EnrollmentExited for an enrollment that has ended, changing nothing', async () => {
    await enroll();
    await memory.store.endEnrollment(CONTACT, enrollmentId, 'completed', now.toISOString());

    await expect(runJourneyStep(deps(), request('crm'))).rejects.toMatchObject({ name: 'EnrollmentExited' });
    expect(outbound.calls).toEqual([]);
    expect(await timeline('journey.exited')).toEqual([]);
  });

  it('throws EnrollmentExited for an enrollment that does not exist', async () => {
    await enroll();

    await expect(guard(deps(), request('crm', { enrollmentId: 'e-missing' }))).rejects.toMatchObject({
      name: 'EnrollmentExited',
    });
  });

  it('ends the enrollment with reason exit-rule and throws EnrollmentExited when an exit rule holds', async () => {
    await enroll();
    const contact = await memory.store.getContact(CONTACT);
    await memory.store.changeProfile(CONTACT, contact?.version ?? 0, { tags: ['blocked'] }, now.toISOString());

    await expect(runJourneyStep(deps(), request('crm'))).rejects.toMatchObject({ name: 'EnrollmentExited' });

    expect(outbound.calls).toEqual([]);
    expect(await enrollment()).toMatchObject({ status: 'exited', exitReason: 'exit-rule', exitNodeId: 'crm' });
    expect((await timeline('journey.exited'))[0]?.data).toMatchObject({ reason: 'exit-rule', nodeId: 'crm' });
  });

  it('lets an active enrollment through when no exit rule holds', async () => {
    await enroll();

    expect(await guard(deps(), request('crm'))).toMatchObject({ enrollmentId, status: 'active' });
  });
});

describe('choosing the next node', () => {
  it('takes a branch by its conditions', async () => {
    await enroll(8900, { properties: { plan: 'pro' } });

    expect(await runJourneyStep(deps(), request('plan'))).toEqual({ next: 'size', branch: 'yes' });
  });

  it('takes the other branch when the conditions fail', async () => {
    await enroll(8900, { properties: { plan: 'free' } });

    expect(await runJourneyStep(deps(), request('plan'))).toEqual({ next: 'coin', branch: 'no' });
  });

  it('takes the first split branch whose conditions hold on the triggering event', async () => {
    await enroll(8900);

    expect(await runJourneyStep(deps(), request('size'))).toEqual({ next: 'renewal', branch: 'big cart' });
  });

  it('takes the else of a split when no branch holds', async () => {
    await enroll(1200);

    expect(await runJourneyStep(deps(), request('size'))).toEqual({ next: 'coin', branch: 'else' });
  });

  it('takes the same random branch on every retry, and both branches across enrollments', async () => {
    await enroll();
    const picks = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const id = `e-${i}`;
      await memory.store.enroll(
        {
          enrollmentId: id,
          contactId: CONTACT,
          journeyId: 'other',
          journeyVersion: 1,
          triggerEventId: id,
          status: 'active',
          enteredAt: ENTERED,
        },
        { reentry: { mode: 'always' } },
      );
      const req = request('coin', { enrollmentId: id, journeyId: 'other' });
      const first = await runJourneyStep(deps(), req);
      expect(await runJourneyStep(deps(), req)).toEqual(first);
      await memory.store.endEnrollment(CONTACT, id, 'completed', now.toISOString());
      picks.add(JSON.stringify(first));
    }

    expect([...picks].sort()).toEqual([
      JSON.stringify({ next: 'crm', branch: 'tails' }),
      JSON.stringify({ next: 'renewal', branch: 'heads' }),
    ]);
  });
});

describe('wait-until', () => {
  it("waits until the contact's date less the offset, at the time in the default zone", async () => {
    await enroll(8900, { properties: { renewalDate: '2026-03-20' } });

    expect(await runJourneyStep(deps(), request('renewal'))).toEqual({ until: '2026-03-17T09:00:00.000Z' });
  });

  it("uses the contact's own time zone", async () => {
    await enroll(8900, { properties: { renewalDate: '2026-03-20' }, timeZone: 'America/New_York' });

    expect(await runJourneyStep(deps(), request('renewal'))).toEqual({ until: '2026-03-17T14:00:00.000Z' });
  });

  it('waits until the next chosen weekday at the time of day', async () => {
    await enroll();
    const mondays = journeyNodeSchema.parse({
      type: 'wait-until',
      until: { time: '09:00', weekdays: ['mon'] },
      next: 'crm',
    });

    // Monday 2 March, 11:05 in Paris: this Monday's 09:00 has passed.
    expect(await runJourneyStep(deps(), request('renewal', { node: mondays }))).toEqual({
      until: '2026-03-09T08:00:00.000Z',
    });
  });

  it.each([
    ['missing', {}],
    ['already past', { renewalDate: '2026-03-01' }],
    ['unreadable', { renewalDate: 'soon' }],
  ])('goes on now when the date is %s', async (_, properties) => {
    await enroll(8900, { properties });

    expect(await runJourneyStep(deps(), request('renewal'))).toEqual({ until: now.toISOString() });
  });
});

describe('side effects', () => {
  describe('reads only what the node and the exit rules read', () => {
    /** The store, counting the contact reads a step makes. */
    const counting = () => {
      const reads = { contact: 0, events: 0, memberships: 0, triggerEvent: 0 };
      const store: StepDeps['store'] = {
        ...memory.store,
        getContact: (id) => {
          reads.contact += 1;
          return memory.store.getContact(id);
        },
        listEvents: (id, limit) => {
          reads.events += 1;
          return memory.store.listEvents(id, limit);
        },
        listMemberships: (id) => {
          reads.memberships += 1;
          return memory.store.listMemberships(id);
        },
        getEvent: (id, eventId) => {
          reads.triggerEvent += 1;
          return memory.store.getEvent(id, eventId);
        },
      };
      return { reads, deps: { ...deps(), store } };
    };

    it('a branch on a property reads the contact once, and neither the timeline nor memberships', async () => {
      await enroll(8900, { properties: { plan: 'pro' } });
      const { reads, deps: step } = counting();

      expect(await runJourneyStep(step, request('plan'))).toEqual({ next: 'size', branch: 'yes' });

      expect(reads).toEqual({ contact: 1, events: 0, memberships: 0, triggerEvent: 0 });
    });

    it('a split on the trigger reads its event', async () => {
      await enroll(9900);
      const { reads, deps: step } = counting();

      expect(await runJourneyStep(step, request('size'))).toEqual({ next: 'renewal', branch: 'big cart' });

      expect(reads).toEqual({ contact: 1, events: 0, memberships: 0, triggerEvent: 1 });
    });

    it('a contact update changes the contact it read with the facts, reading it once', async () => {
      await enroll();
      const { reads, deps: step } = counting();

      await runJourneyStep(step, request('mark'));

      expect(reads.contact).toBe(1);
      expect((await memory.store.getContact(CONTACT))?.properties).toEqual({ stage: 'hot', lastCart: 'cart-9' });
    });

    it('an exit rule on events makes every step read the timeline', async () => {
      await enroll(8900, { properties: { plan: 'pro' } });
      const step = counting();
      const version = await memory.store.getVersion(JOURNEY, 1);
      if (!version) throw new Error('no version 1');
      const exitOnOrder = [
        {
          kind: 'event' as const,
          event: 'order.placed',
          where: [],
          count: { op: 'gte' as const, value: 1 },
          within: 'all-time' as const,
        },
      ];
      const versions = {
        get: async () => ({
          ...version,
          document: { ...version.document, settings: { ...version.document.settings, exitWhen: exitOnOrder } },
        }),
      };

      await runJourneyStep({ ...step.deps, versions }, request('plan'));

      expect(step.reads).toMatchObject({ contact: 1, events: 1, memberships: 0 });
    });
  });

  it('enqueues one webhook delivery per enrollment and node, however often the step runs', async () => {
    await enroll();

    await runJourneyStep(deps(), request('crm'));
    await runJourneyStep(deps(), request('crm'));

    expect(outbound.calls.map((c) => c.key)).toEqual([`journey:${enrollmentId}:crm`, `journey:${enrollmentId}:crm`]);
    expect(outbound.deliveries.size).toBe(1);
    expect(outbound.calls[0]).toMatchObject({
      endpointId: 'crm-sync',
      type: 'journey.step',
      data: {
        journeyId: JOURNEY,
        enrollmentId,
        nodeId: 'crm',
        contact: { contactId: CONTACT, email: 'ada@example.com', tags: ['cold', 'lead'] },
        trigger: { correlation: 'cart-9' },
      },
    });
  });
});

describe('goal', () => {
  it('converts and completes the enrollment at a goal without a next node', async () => {
    await enroll();

    expect(await runJourneyStep(deps(), request('bought'))).toEqual({ done: true });

    expect(await enrollment()).toMatchObject({
      status: 'completed',
      exitReason: 'goal',
      exitNodeId: 'bought',
      conversion: { goal: 'purchased', nodeId: 'bought', at: now.toISOString() },
    });
    expect((await timeline('journey.converted'))[0]?.data).toMatchObject({ goal: 'purchased', enrollmentId });
    expect((await timeline('journey.exited'))[0]?.data).toMatchObject({ status: 'completed', reason: 'goal' });
  });

  it('converts but keeps the enrollment going at a goal with a next node', async () => {
    await enroll();
    const goal = journeyNodeSchema.parse({ type: 'goal', name: 'purchased', next: 'done' });

    await runJourneyStep(deps(), request('bought', { node: goal }));

    expect(await enrollment()).toMatchObject({ status: 'active', conversion: { goal: 'purchased' } });
    expect(await timeline('journey.exited')).toEqual([]);
  });
});
