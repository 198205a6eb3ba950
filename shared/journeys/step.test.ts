import { beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '#core/clock.ts';
import type { Contact, TimelineEvent } from '#core/contact.ts';
import { builtInTemplateIds } from '#messaging/templating/compiled-built-ins.ts';
import { createMemoryJourneys, createMemoryMail, createMemoryStore } from '#platform/memory-store.ts';
import { createMemoryAggregates } from '#reports/memory-aggregates.ts';
import { type JourneyNode, journeyNodeSchema } from '#workflows/journey.schema.ts';
import { publishJourney, saveDraft } from './lifecycle.ts';
import { routeEvent } from './routing.ts';
import { guard, runJourneyStep, type StepDeps, type StepRequest } from './step.ts';
import { stepRequestSchema } from './step-request.schema.ts';

/** One node at a time through runJourneyStep, against the memory store and recording fakes. */

const CONTACT = 'c-ada';
const JOURNEY = 'hot-leads';
const ENTERED = '2026-03-02T10:00:00.000Z';
let now = new Date(ENTERED);
const clock: Clock = { now: () => now };

const document = {
  schemaVersion: 1,
  id: JOURNEY,
  name: 'Hot leads',
  triggers: [{ type: 'event', event: 'checkout.started', correlationKey: 'cartId' }],
  start: 'plan',
  nodes: {
    plan: {
      type: 'branch',
      conditions: [{ kind: 'property', property: 'properties.plan', op: 'eq', value: 'pro' }],
      onTrue: 'size',
      onFalse: 'coin',
    },
    size: {
      type: 'split',
      branches: [
        {
          name: 'big cart',
          conditions: [{ kind: 'trigger', where: [{ path: 'total.amountMinor', op: 'gte', value: 5000 }] }],
          next: 'renewal',
        },
      ],
      else: 'coin',
    },
    coin: {
      type: 'random-split',
      branches: [
        { name: 'heads', percent: 50, next: 'renewal' },
        { name: 'tails', percent: 50, next: 'crm' },
      ],
    },
    renewal: {
      type: 'wait-until',
      until: { property: 'properties.renewalDate', offset: { days: -3 }, time: '10:00' },
      next: 'crm',
    },
    crm: { type: 'webhook', endpoint: 'crm-sync', next: 'tell' },
    tell: {
      type: 'notify-owner',
      channel: 'task',
      subject: 'Hot lead: {{ contact.email }}',
      message: '{{ contact.firstName }} is in "{{ journey.name }}".',
      next: 'mark',
    },
    mark: {
      type: 'update-contact',
      changes: [
        { op: 'set', property: 'stage', value: 'hot' },
        { op: 'set-from-trigger', property: 'lastCart', path: 'cartId' },
        { op: 'add-tag', tag: 'vip' },
        { op: 'remove-tag', tag: 'cold' },
      ],
      next: 'wait-order',
    },
    'wait-order': {
      type: 'wait-for-event',
      event: 'order.placed',
      correlate: true,
      since: 'entry',
      timeout: { days: 1 },
      next: 'bought',
      onTimeout: 'done',
    },
    bought: { type: 'goal', name: 'purchased' },
    done: { type: 'exit' },
  },
  settings: { reentry: { mode: 'always' }, exitWhen: [{ kind: 'tag', tag: 'blocked' }] },
};

let memory: ReturnType<typeof createMemoryStore>;
let runtime: ReturnType<typeof createMemoryJourneys>;
let mail: ReturnType<typeof createMemoryMail>;
let outbound: ReturnType<typeof fakeOutbound>;
let enrollmentId: string;
let trigger: StepRequest['trigger'];

/** Records enqueues and keeps one delivery per key, as the outbound service does. */
function fakeOutbound() {
  const calls: { endpointId: string; key: string; type: string; data: Record<string, unknown> }[] = [];
  const deliveries = new Map<string, unknown>();
  return {
    calls,
    deliveries,
    async enqueue(input: (typeof calls)[number]) {
      calls.push(structuredClone(input));
      if (deliveries.has(input.key)) return { outcome: 'duplicate' };
      deliveries.set(input.key, structuredClone(input));
      return { outcome: 'enqueued' };
    },
  };
}

const deps = (settings: Partial<StepDeps['settings']> = {}): StepDeps => ({
  store: memory.store,
  runtime,
  clock,
  outbound,
  mail,
  settings: { defaultTimeZone: 'Europe/Paris', from: 'Shop <hi@shop.example>', ...settings },
});

const node = (id: keyof typeof document.nodes): JourneyNode => journeyNodeSchema.parse(document.nodes[id]);

const request = (nodeId: keyof typeof document.nodes | string, overrides: Partial<StepRequest> = {}): StepRequest => {
  const n = overrides.node ?? node(nodeId as keyof typeof document.nodes);
  return {
    action: n.type as StepRequest['action'],
    node: n,
    contactId: CONTACT,
    enrollmentId,
    journeyId: JOURNEY,
    journeyVersion: 1,
    enteredAt: ENTERED,
    trigger,
    nodeId,
    ...overrides,
  };
};

async function addContact(extra: Partial<Contact> = {}) {
  const at = '2026-03-01T00:00:00.000Z';
  await memory.store.createContact(
    {
      contactId: CONTACT,
      email: 'ada@example.com',
      firstName: 'Ada',
      properties: {},
      tags: ['cold', 'lead'],
      createdAt: at,
      updatedAt: at,
      createdBy: 'test',
      ...extra,
    },
    { eventId: 'created', contactId: CONTACT, name: 'contact.created', at, data: {} },
    [{ kind: 'email', value: 'ada@example.com' }],
  );
}

const event = (name: TimelineEvent['name'], at: string, data: Record<string, unknown>, eventId = `${name}:${at}`) => ({
  eventId,
  contactId: CONTACT,
  name,
  at,
  data,
});

/** Publishes the journey and enrolls the contact through routing, with a cart of `amountMinor`. */
async function enroll(amountMinor = 8900, contact: Partial<Contact> = {}, doc: object = document) {
  await addContact(contact);
  await saveDraft(
    {
      store: memory.store,
      runtime,
      clock,
      targets: { sendEmail: 's', endEnrollment: 'e', journeyStep: 'j' },
      validationContext: async () => ({ templates: builtInTemplateIds }),
    },
    JOURNEY,
    doc,
    'ada',
  );
  await publishJourney(
    {
      store: memory.store,
      runtime,
      clock,
      targets: { sendEmail: 's', endEnrollment: 'e', journeyStep: 'j' },
      validationContext: async () => ({ templates: builtInTemplateIds }),
    },
    JOURNEY,
    'ada',
  );
  const checkout = event('checkout.started', ENTERED, { cartId: 'cart-9', total: { amountMinor, currency: 'EUR' } });
  await memory.store.appendEvent(checkout);
  const routed = await routeEvent({ store: memory.store, runtime, clock }, checkout, { createdContact: false });
  enrollmentId = routed.enrollments[0] as string;
  trigger = { type: 'event', eventId: checkout.eventId, name: 'checkout.started', at: ENTERED, correlation: 'cart-9' };
}

const enrollment = () => memory.store.getEnrollment(CONTACT, enrollmentId);
const timeline = async (name: string) => (await memory.store.listEvents(CONTACT, 100)).filter((e) => e.name === name);

beforeEach(() => {
  now = new Date('2026-03-02T10:05:00.000Z');
  memory = createMemoryStore();
  runtime = createMemoryJourneys();
  mail = createMemoryMail();
  outbound = fakeOutbound();
});

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

  it('creates one owner task with the message filled in, however often the step runs', async () => {
    await enroll();

    await runJourneyStep(deps({ ownerEmail: 'owner@shop.example' }), request('tell'));
    await runJourneyStep(deps({ ownerEmail: 'owner@shop.example' }), request('tell'));

    expect(await memory.store.listTasks()).toEqual([
      expect.objectContaining({
        status: 'open',
        subject: 'Hot lead: ada@example.com',
        message: 'Ada is in "Hot leads".',
        enrollmentId,
        nodeId: 'tell',
      }),
    ]);
    expect(mail.sent).toEqual([]);
  });

  it('emails the owner once for a notify-owner by email, even when the step is retried', async () => {
    await enroll();
    const byEmail = journeyNodeSchema.parse({ ...document.nodes.tell, channel: 'email' });

    await runJourneyStep(deps({ ownerEmail: 'owner@shop.example' }), request('tell', { node: byEmail }));
    await runJourneyStep(deps({ ownerEmail: 'owner@shop.example' }), request('tell', { node: byEmail }));

    expect(mail.sent).toHaveLength(1);
    expect(mail.sent[0]).toMatchObject({
      to: 'owner@shop.example',
      from: 'Shop <hi@shop.example>',
      subject: 'Hot lead: ada@example.com',
      text: 'Ada is in "Hot leads".',
    });
    expect(mail.sent[0]?.html).toContain('&quot;Hot leads&quot;');
    expect(await memory.store.listTasks()).toEqual([expect.objectContaining({ status: 'done' })]);
  });

  it("emails the node's own recipient over the configured owner", async () => {
    await enroll();
    const byEmail = journeyNodeSchema.parse({ ...document.nodes.tell, channel: 'email', to: 'sales@shop.example' });

    await runJourneyStep(deps({ ownerEmail: 'owner@shop.example' }), request('tell', { node: byEmail }));

    expect(mail.sent.map((m) => m.to)).toEqual(['sales@shop.example']);
  });

  it('falls back to an open task when no owner address is configured for an email', async () => {
    await enroll();
    const byEmail = journeyNodeSchema.parse({ ...document.nodes.tell, channel: 'email' });

    await runJourneyStep(deps(), request('tell', { node: byEmail }));

    expect(mail.sent).toEqual([]);
    expect(await memory.store.listTasks('open')).toEqual([
      expect.objectContaining({ message: expect.stringContaining('No owner email is configured') }),
    ]);
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
