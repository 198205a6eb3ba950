import { beforeEach, describe, expect, it } from 'vitest';
import { createMemoryAggregates } from '#reports/memory-aggregates.ts';
import { journeyNodeSchema } from '#workflows/journey.schema.ts';
import {
  CONTACT,
  deps,
  document,
  ENTERED,
  enroll,
  enrollment,
  JOURNEY,
  memory,
  node,
  now,
  request,
  resetStepFixture,
} from './step.fixture.ts';
import { runJourneyStep } from './step.ts';
import type { StepDeps } from './step.types.ts';
import { stepRequestSchema } from './step-request.schema.ts';

/** Contact updates through runJourneyStep, alone and with the decision after them. */

beforeEach(resetStepFixture);

describe('a contact update with the decision after it, in one step', () => {
  // `mark` then a branch on what `mark` sets: compiled as one Task when nothing else leads to the
  // branch (see fusedDecisions). The branch is given as `decision`; `plan` is its id in the journey.
  const stageIsHot = journeyNodeSchema.parse({
    type: 'branch',
    conditions: [{ kind: 'property', property: 'properties.stage', op: 'eq', value: 'hot' }],
    onTrue: 'crm',
    onFalse: 'coin',
  });
  const fused = (changes: unknown[] = document.nodes.mark.changes) =>
    request('mark', {
      node: journeyNodeSchema.parse({ type: 'update-contact', changes, next: 'plan' }),
      decision: { nodeId: 'plan', node: stageIsHot },
    });

  it('refuses a decision on anything but a contact update, and a decision that is not one', () => {
    const ok = { ...fused(), enrollmentId: 'e-1', trigger: { type: 'event', eventId: 'x', at: ENTERED } };
    expect(stepRequestSchema.safeParse(ok).success).toBe(true);
    const onBranch = { ...ok, action: 'branch', node: stageIsHot };
    expect(stepRequestSchema.safeParse(onBranch).error?.issues[0]?.path).toEqual(['decision']);
    const mismatched = { ...ok, action: 'update-contact', node: stageIsHot };
    expect(stepRequestSchema.safeParse(mismatched).success).toBe(false);
    const notADecision = { ...ok, decision: { nodeId: 'crm', node: node('crm') } };
    expect(stepRequestSchema.safeParse(notADecision).error?.issues[0]?.message).toContain(
      'branch, split or random-split',
    );
  });

  it('decides on the contact as the update left it, and counts both visits as one Task and one Choice', async () => {
    await enroll();
    const aggregates = createMemoryAggregates();

    expect(await runJourneyStep({ ...deps(), aggregates }, fused())).toEqual({ next: 'crm', branch: 'yes' });

    expect((await memory.store.getContact(CONTACT))?.properties).toMatchObject({ stage: 'hot' });
    const counters = await aggregates.getCounters([`journey#${JOURNEY}#v1`]);
    expect(counters[`journey#${JOURNEY}#v1`]).toEqual({
      node_mark: 1,
      node_plan: 1,
      // The update's Task, then the branch's Choice: the branch runs no function of its own.
      transitions: 2,
      invocations: 1,
    });
  });

  it('takes the other way when the updated contact does not match, and counts nothing twice on a retry', async () => {
    await enroll();
    const aggregates = createMemoryAggregates();
    const req = fused([{ op: 'set', property: 'stage', value: 'warm' }]);

    expect(await runJourneyStep({ ...deps(), aggregates }, req)).toEqual({ next: 'coin', branch: 'no' });
    expect(await runJourneyStep({ ...deps(), aggregates }, req)).toEqual({ next: 'coin', branch: 'no' });

    const counters = await aggregates.getCounters([`journey#${JOURNEY}#v1`]);
    expect(counters[`journey#${JOURNEY}#v1`]).toMatchObject({ node_mark: 1, node_plan: 1, transitions: 2 });
  });

  it('counts the decision after an update that failed once, on the retry that gets through', async () => {
    await enroll();
    const aggregates = createMemoryAggregates();
    let failures = 1;
    const failingOnce = Object.create(memory.store, {
      changeProfile: {
        value: (...args: Parameters<typeof memory.store.changeProfile>) => {
          if (failures-- > 0) throw new Error('DynamoDB is not answering');
          return memory.store.changeProfile(...args);
        },
      },
    });

    await expect(runJourneyStep({ ...deps(), store: failingOnce, aggregates }, fused())).rejects.toThrow(
      'not answering',
    );
    // The failed attempt counted the update alone: the report shows where it stopped.
    expect((await aggregates.getCounters([`journey#${JOURNEY}#v1`]))[`journey#${JOURNEY}#v1`]).toEqual({
      node_mark: 1,
      transitions: 1,
      invocations: 1,
    });
    expect(await runJourneyStep({ ...deps(), store: failingOnce, aggregates }, fused())).toEqual({
      next: 'crm',
      branch: 'yes',
    });

    // The retry adds the decision (its own marker), not the update again.
    expect((await aggregates.getCounters([`journey#${JOURNEY}#v1`]))[`journey#${JOURNEY}#v1`]).toEqual({
      node_mark: 1,
      node_plan: 1,
      transitions: 2,
      invocations: 1,
    });
  });

  it('ends the enrollment at the decision when the update makes an exit rule hold', async () => {
    await enroll();
    const aggregates = createMemoryAggregates();

    await expect(
      runJourneyStep({ ...deps(), aggregates }, fused([{ op: 'add-tag', tag: 'blocked' }])),
    ).rejects.toMatchObject({ name: 'EnrollmentExited' });

    expect((await memory.store.getContact(CONTACT))?.tags).toContain('blocked');
    expect(await enrollment()).toMatchObject({ status: 'exited', exitReason: 'exit-rule', exitNodeId: 'plan' });
    const counters = await aggregates.getCounters([`journey#${JOURNEY}#v1`]);
    expect(counters[`journey#${JOURNEY}#v1`]).toEqual({ node_mark: 1, transitions: 1, invocations: 1 });
  });
});

describe('update-contact', () => {
  it('updates the contact: properties with journey provenance, the trigger value and tags', async () => {
    await enroll();
    const before = await memory.store.getContact(CONTACT);

    expect(await runJourneyStep(deps(), request('mark'))).toEqual({ done: true });

    const contact = await memory.store.getContact(CONTACT);
    expect(contact?.properties).toEqual({ stage: 'hot', lastCart: 'cart-9' });
    expect(contact?.tags).toEqual(['lead', 'vip']);
    expect(contact?.provenance).toMatchObject({
      stage: { source: `journey:${JOURNEY}`, at: now.toISOString() },
      lastCart: { source: `journey:${JOURNEY}`, at: now.toISOString() },
    });
    expect(contact?.version).toBe((before?.version ?? 0) + 1);
  });

  it('retries an update that raced another change to the contact, keeping both', async () => {
    await enroll();
    let raced = false;
    const racing: StepDeps = {
      ...deps(),
      store: {
        ...memory.store,
        async changeProfile(id, version, change, at) {
          if (!raced) {
            raced = true;
            await memory.store.changeProfile(id, version, { setProperties: { plan: 'pro' } }, at);
          }
          return memory.store.changeProfile(id, version, change, at);
        },
      },
    };

    await runJourneyStep(racing, request('mark'));

    expect((await memory.store.getContact(CONTACT))?.properties).toEqual({
      plan: 'pro',
      stage: 'hot',
      lastCart: 'cart-9',
    });
  });
});
