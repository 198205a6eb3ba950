/**
 * What the scores read from a contact's timeline: distinct events in time order, and the orders
 * and refunds up to a moment.
 */
import type { TimelineEvent } from '#core/contact.ts';

export const DAY_MS = 86_400_000;

export interface Money {
  amountMinor: number;
  currency: string;
}

export interface Order {
  at: number;
  total: Money | undefined;
}

/** Distinct events (by id) at a parseable time, oldest first; stable for equal times. */
export function chronological(events: readonly TimelineEvent[]): TimelineEvent[] {
  const seen = new Set<string>();
  const out: TimelineEvent[] = [];
  for (const e of events) {
    if (seen.has(e.eventId) || Number.isNaN(Date.parse(e.at))) continue;
    seen.add(e.eventId);
    out.push(e);
  }
  return out.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

export function ordersUpTo(events: readonly TimelineEvent[], now: Date): Order[] {
  return chronological(events)
    .filter((e) => e.name === 'order.placed' && Date.parse(e.at) <= now.getTime())
    .map((e) => ({ at: Date.parse(e.at), total: asMoney(e.data.total) }));
}

export function refundsUpTo(events: readonly TimelineEvent[], now: Date): Money[] {
  return chronological(events)
    .filter((e) => e.name === 'order.refunded' && Date.parse(e.at) <= now.getTime())
    .flatMap((e) => asMoney(e.data.amount) ?? []);
}

function asMoney(value: unknown): Money | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const { amountMinor, currency } = value as Record<string, unknown>;
  return Number.isInteger(amountMinor) && typeof currency === 'string' && currency
    ? { amountMinor: amountMinor as number, currency: currency.toUpperCase() }
    : undefined;
}

export function wholeDays(ms: number): number {
  return Math.floor(ms / DAY_MS);
}
