import type { Clock } from '#core/clock.ts';
import type { Contact, TimelineEvent } from '#core/contact.ts';
import { createMemoryMail } from '#messaging/memory-mail.ts';
import { builtInTemplateIds } from '#messaging/templating/compiled-built-ins.ts';
import { createMemoryStore } from '#platform/memory-store.ts';
import { type JourneyNode, journeyNodeSchema } from '#workflows/journey.schema.ts';
import { publishJourney, saveDraft } from './lifecycle.ts';
import { createMemoryJourneys } from './memory-runtime.ts';
import { routeEvent } from './routing.ts';
import type { StepDeps, StepRequest } from './step.types.ts';

/**
 * What the journey-step tests share: a journey with a node of each kind, a contact enrolled in
 * it through routing, the memory store and recording fakes; `resetStepFixture` before each test.
 */

export const CONTACT = 'c-ada';
export const JOURNEY = 'hot-leads';
export const ENTERED = '2026-03-02T10:00:00.000Z';
export let now = new Date(ENTERED);
const clock: Clock = { now: () => now };

export const document = {
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

export let memory: ReturnType<typeof createMemoryStore>;
export let runtime: ReturnType<typeof createMemoryJourneys>;
export let mail: ReturnType<typeof createMemoryMail>;
export let outbound: ReturnType<typeof fakeOutbound>;
export let enrollmentId: string;
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

export const deps = (settings: Partial<StepDeps['settings']> = {}): StepDeps => ({
  store: memory.store,
  runtime,
  clock,
  outbound,
  mail,
  settings: { defaultTimeZone: 'Europe/Paris', from: 'Shop <hi@shop.example>', ...settings },
});

export const node = (id: keyof typeof document.nodes): JourneyNode => journeyNodeSchema.parse(document.nodes[id]);

export const request = (
  nodeId: keyof typeof document.nodes | string,
  overrides: Partial<StepRequest> = {},
): StepRequest => {
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

export const event = (
  name: TimelineEvent['name'],
  at: string,
  data: Record<string, unknown>,
  eventId = `${name}:${at}`,
) => ({
  eventId,
  contactId: CONTACT,
  name,
  at,
  data,
});

/** Publishes the journey and enrolls the contact through routing, with a cart of `amountMinor`. */
export async function enroll(amountMinor = 8900, contact: Partial<Contact> = {}, doc: object = document) {
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

export const enrollment = () => memory.store.getEnrollment(CONTACT, enrollmentId);
export const timeline = async (name: string) =>
  (await memory.store.listEvents(CONTACT, 100)).filter((e) => e.name === name);

/** A fresh store and fakes, the clock a few minutes after entry. */
export function resetStepFixture() {
  now = new Date('2026-03-02T10:05:00.000Z');
  memory = createMemoryStore();
  runtime = createMemoryJourneys();
  mail = createMemoryMail();
  outbound = fakeOutbound();
}
