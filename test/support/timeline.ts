import type { TimelineEvent } from '#core/contact.ts';

/** A timeline event as the stream hands it to a consumer. */
export const timelineEvent = (
  eventId: string,
  contactId: string,
  name: TimelineEvent['name'],
  at: string,
  data: Record<string, unknown> = {},
): TimelineEvent => ({ eventId, contactId, name, at, data });

/** An `order.placed` whose id is `orderId` and whose total is `amountMinor` euro cents. */
export const orderPlaced = (id: string, contactId: string, at: string, amountMinor = 1000) =>
  timelineEvent(id, contactId, 'order.placed', at, { orderId: id, total: { amountMinor, currency: 'EUR' } });
