import type { Clock } from '#core/clock.ts';
import type { TimelineEvent } from '#core/contact.ts';
import { builtInTemplateIds } from '#messaging/templating/compiled-built-ins.ts';
import { createMemoryStore } from '#platform/memory-store.ts';
import { addTestContact } from '../../test/support/memory.ts';
import { type JourneyServiceDeps, publishJourney, saveDraft } from './lifecycle.ts';
import { createMemoryJourneys } from './memory-runtime.ts';
import { type RoutingDeps, routeEvent } from './routing.ts';

/**
 * What the routing tests share: a cart journey to publish, a contact, the events it lands and
 * the clock they move; `resetRoutingFixture` before each test.
 */

export const CONTACT = 'c-ada';
export const JOURNEY = 'cart-flow';
export let now = new Date('2026-03-02T09:00:00Z');
const clock: Clock = { now: () => now };

export let memory: ReturnType<typeof createMemoryStore>;
export let runtime: ReturnType<typeof createMemoryJourneys>;

export const journeyDeps = (): JourneyServiceDeps => ({
  store: memory.store,
  runtime,
  clock,
  targets: { sendEmail: 'send-email', endEnrollment: 'end-enrollment', journeyStep: 'journey-step' },
  validationContext: async () => ({ templates: builtInTemplateIds }),
});
export const routing = (): RoutingDeps => ({ store: memory.store, runtime, clock });

export const document = (overrides: Record<string, unknown> = {}, settings: Record<string, unknown> = {}) => ({
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

export async function publish(doc: Record<string, unknown> = document()) {
  await saveDraft(journeyDeps(), JOURNEY, doc, 'ada');
  return publishJourney(journeyDeps(), JOURNEY, 'ada');
}

const addContact = (id = CONTACT) => addTestContact(memory.store, id);

export const checkout = (at: string, cartId = 'cart-9', amountMinor = 8900): TimelineEvent => ({
  eventId: `checkout:${cartId}:${at}`,
  contactId: CONTACT,
  name: 'checkout.started',
  at,
  data: { cartId, total: { amountMinor, currency: 'EUR' } },
});
export const order = (at: string, amountMinor = 4200, cartId = 'cart-9'): TimelineEvent => ({
  eventId: `order:${at}`,
  contactId: CONTACT,
  name: 'order.placed',
  at,
  data: { orderId: `o-${at}`, cartId, total: { amountMinor, currency: 'EUR' } },
});
export const named = (name: TimelineEvent['name'], at: string, data: Record<string, unknown> = {}): TimelineEvent => ({
  eventId: `${name}:${at}`,
  contactId: CONTACT,
  name,
  at,
  data,
});

/** Appends the event to the timeline and routes it, as processing the inbox does. */
export async function land(event: TimelineEvent, createdContact = false) {
  now = new Date(Math.max(now.getTime(), Date.parse(event.at)));
  await memory.store.appendEvent(event);
  return routeEvent(routing(), event, { createdContact });
}

export const enrollments = () => memory.store.listEnrollments(CONTACT);
export const timeline = async (name: string) =>
  (await memory.store.listEvents(CONTACT, 100)).filter((e) => e.name === name);

/** Moves the clock (events landed later move it too). */
export const setNow = (at: Date) => {
  now = at;
};

/** A fresh store and runtime, the clock at the start of the day, the contact added. */
export async function resetRoutingFixture() {
  now = new Date('2026-03-02T09:00:00Z');
  memory = createMemoryStore();
  runtime = createMemoryJourneys();
  await addContact();
}
