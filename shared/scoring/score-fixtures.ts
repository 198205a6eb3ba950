/** Timelines and contacts for the score tests, relative to a fixed `now`. */
import type { Contact, TimelineEvent } from '#core/contact.ts';

export const now = new Date('2026-06-01T00:00:00Z');
const DAY = 86_400_000;

/** An ISO time `days` (may be fractional) before `now`. */
export const ago = (days: number) => new Date(now.getTime() - days * DAY).toISOString();

let seq = 0;
export const event = (name: TimelineEvent['name'], at: string, data: Record<string, unknown> = {}): TimelineEvent => ({
  eventId: `${name}:${at}:${seq++}`,
  contactId: 'c-1',
  name,
  at,
  data,
});
export const order = (daysAgo: number, amountMinor: number, currency = 'EUR') =>
  event('order.placed', ago(daysAgo), { orderId: `o-${seq}`, total: { amountMinor, currency }, lineItems: [] });
export const refund = (daysAgo: number, amountMinor: number, currency = 'EUR') =>
  event('order.refunded', ago(daysAgo), { orderId: 'o-1', refundId: `r-${seq}`, amount: { amountMinor, currency } });
/** Orders `gap` days apart, the last one `last` days ago. */
export const ordersEvery = (count: number, gap: number, last: number, amountMinor = 10_000) =>
  Array.from({ length: count }, (_, i) => order(last + (count - 1 - i) * gap, amountMinor));

export const contact = (overrides: Partial<Contact> = {}): Contact => ({
  contactId: 'c-1',
  email: 'ada@example.com',
  properties: {},
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  createdBy: 'inbox-1',
  ...overrides,
});
