import type { TimelineEvent } from '#core/contact.ts';
import type { InboxRecord } from '#sources/model.ts';
import type { CounterIncrement, CounterStamp } from './counters.ts';
import { journeyReports } from './journey-report.ts';
import { type ContactKpiState, incrementsFor, STATEFUL_EVENTS } from './kpi-counters.ts';
import type { Period } from './kpi-periods.ts';
import { counterKeysFor, type Kpis, kpisFrom } from './kpis.ts';
import {
  type AggregateBatch,
  type AggregateStore,
  CONTACT_IDS_PER_WRITE,
  type ContactWrite,
  type StoredKpiState,
} from './store.ts';

// Keeps the dashboard's aggregates current: each timeline event, once, becomes counter adds (KPIs
// by day, month and retention cohort; journeys by version) and an update of the contact's small
// KPI state. Reports then read a handful of counter items, never events.

/** Items one transaction may hold (markers, counter keys, contact states). */
const TRANSACTION_ITEMS = 100;

/** A new inbox record, as its source's delivery counts need it. */
export type DeliveryRecord = Pick<InboxRecord, 'inboxId' | 'sourceId' | 'status' | 'receivedAt'>;

/** The counter item of a source's deliveries: `accepted`, `ignored` and `lastDeliveryMs`. */
export const sourceCounterKey = (sourceId: string) => `source#${sourceId}`;

/** A stored delivery's count on its source, applied once under the marker `inbox:<inboxId>`. */
function deliveryCount(record: DeliveryRecord): Entry {
  const key = sourceCounterKey(record.sourceId);
  return {
    markerId: `inbox:${record.inboxId}`,
    increments: [{ key, field: record.status === 'ignored' ? 'ignored' : 'accepted', by: 1 }],
    stamps: [{ key, field: 'lastDeliveryMs', value: Date.parse(record.receivedAt) }],
  };
}

/** A stream batch's part that is applied under its own marker (a delivery, a visit), or a contact's event. */
type Entry =
  | { markerId: string; increments: CounterIncrement[]; stamps?: CounterStamp[] }
  | { event: TimelineEvent; increments: CounterIncrement[]; state?: ContactKpiState; read?: number };

/**
 * What is known of a contact's stored state: its facts, as the batch has moved them so far, its
 * revision, and how many times it was read (an entry computed before the last read is stale).
 */
type Known = { state: ContactKpiState; rev: number | undefined; reads: number };

/** Tries of a group whose writes were refused (a replay in it, or a state moved meanwhile). */
const REFUSED_ATTEMPTS = 5;

/**
 * Applies a stream batch's events in order, each exactly once, in as few transactions as the
 * item limit allows: the states of the contacts whose facts can move are read together, each
 * event's increments computed on its contact's running state, and merged counter adds, contact
 * writes (which refuse an event applied before) and markers written at once. When a write is
 * refused (a replayed record), the contacts it names are read again and their events already
 * applied left out. An event copied from an anonymous contact merged into its own (`mergedFrom`)
 * was counted on that contact and is left out too. The batch's new inbox records (`deliveries`)
 * are counted on their sources in the same transactions, each once under a marker, and so are
 * `marked` counts (the visits of a journey step, under their marker).
 */
export async function aggregateEvents(
  store: AggregateStore,
  batch: readonly TimelineEvent[],
  deliveries: readonly DeliveryRecord[] = [],
  marked: readonly { eventId: string; increments: CounterIncrement[] }[] = [],
): Promise<{ applied: number; duplicates: number }> {
  const result = { applied: 0, duplicates: 0 };
  const copies = batch.filter((e) => e.mergedFrom);
  result.duplicates += copies.length;
  let events = copies.length > 0 ? batch.filter((e) => !e.mergedFrom) : batch;
  // Only stateful events need the contacts' states; a batch without any reads nothing. Nor does
  // a contact created in this batch: its `contact.created` is the first record of it the stream
  // delivers, so it has no state yet (if it has, the write is refused and the state read then).
  const stateful = (event: TimelineEvent) => STATEFUL_EVENTS.includes(event.name);
  const createdHere = new Set(events.filter((e) => e.name === 'contact.created').map((e) => e.contactId));
  const known = new Map<string, Known>();
  const read = async (contactIds: readonly string[]) => {
    const found = contactIds.length > 0 ? await store.getKpiStates(contactIds) : new Map<string, StoredKpiState>();
    for (const id of contactIds) {
      const stored = found.get(id);
      const reads = (known.get(id)?.reads ?? 0) + 1;
      known.set(id, stored ? { state: stored.state, rev: stored.rev, reads } : { state: {}, rev: undefined, reads });
    }
    return found;
  };
  const statefulContacts = [...new Set(events.filter(stateful).map((e) => e.contactId))];
  for (const id of statefulContacts) if (createdHere.has(id)) known.set(id, { state: {}, rev: undefined, reads: 0 });
  const readFirst = await read(statefulContacts.filter((id) => !createdHere.has(id)));
  // What the read shows applied before (a replay, or a state an earlier version kept) is left out now.
  const before = events.filter((e) => readFirst.get(e.contactId)?.applied(e.eventId));
  result.duplicates += before.length;
  if (before.length > 0) events = events.filter((e) => !before.includes(e));

  /** An event's entry on its contact's running state (not moved yet: see `take`). */
  const entryOf = (event: TimelineEvent): Entry => {
    const contact = stateful(event) ? known.get(event.contactId) : undefined;
    const { increments, state } = incrementsFor(event, contact?.state);
    return contact ? { event, increments, state, read: contact.reads } : { event, increments };
  };
  /** Moves the contact's running state by the entry. */
  const take = (entry: Entry): Entry => {
    if ('event' in entry && entry.state) {
      const contact = known.get(entry.event.contactId);
      if (contact) contact.state = entry.state;
    }
    return entry;
  };
  /** An entry computed on a state read since is computed again, in order, on the state as it is now. */
  const fresh = (entry: Entry): Entry =>
    'event' in entry && entry.state && entry.read !== known.get(entry.event.contactId)?.reads
      ? take(entryOf(entry.event))
      : entry;

  /** The store's batch for entries: their adds, markers, and one write per contact (its last state). */
  const batchOf = (entries: readonly Entry[]): AggregateBatch => {
    const writes = new Map<string, ContactWrite & { ids: string[] }>();
    for (const entry of entries) {
      if (!('event' in entry)) continue;
      const { contactId, eventId } = entry.event;
      const write = writes.get(contactId) ?? { contactId, ids: [] };
      write.ids.push(eventId);
      if (entry.state) Object.assign(write, { state: entry.state, rev: known.get(contactId)?.rev });
      writes.set(contactId, write);
    }
    return {
      increments: entries.flatMap((e) => e.increments),
      stamps: entries.flatMap((e) => ('stamps' in e ? (e.stamps ?? []) : [])),
      markers: entries.flatMap((e) => ('markerId' in e ? [e.markerId] : [])),
      contacts: [...writes.values()],
    };
  };
  const itemsOf = (batch: AggregateBatch) =>
    batch.markers.length + new Set(batch.increments.map((i) => i.key)).size + batch.contacts.length;
  const fits = (batch: AggregateBatch) =>
    itemsOf(batch) <= TRANSACTION_ITEMS && batch.contacts.every((c) => c.ids.length <= CONTACT_IDS_PER_WRITE);

  /** Writes the entries (in halves if a recomputation made them too many for one transaction). */
  const flush = async (entries: Entry[]): Promise<void> => {
    let group = entries;
    for (let attempt = 1; group.length > 0; attempt++) {
      group = group.map(fresh);
      const batch = batchOf(group);
      if (!fits(batch) && group.length > 1) {
        const half = Math.ceil(group.length / 2);
        await flush(group.slice(0, half));
        await flush(group.slice(half));
        return;
      }
      const outcome = await store.applyBatch(batch);
      if (outcome.outcome === 'applied') {
        result.applied += group.length;
        for (const { contactId } of batch.contacts) {
          const contact = known.get(contactId);
          if (contact) contact.rev = (contact.rev ?? 0) + 1;
        }
        return;
      }
      if (attempt >= REFUSED_ATTEMPTS) {
        throw new Error(`aggregates: a batch was refused ${attempt} times (contacts ${outcome.contacts.join(', ')})`);
      }
      // A marker that exists was counted before (a replay; a visit the step counted itself). The
      // refused contacts are read again: their events applied before are left out, and the others
      // are computed again on the state read (`fresh`, at the top of the loop).
      const counted = new Set(outcome.markers);
      const stored = await read(outcome.contacts);
      const left = group.filter((entry) =>
        'markerId' in entry
          ? !counted.has(entry.markerId)
          : !stored.get(entry.event.contactId)?.applied(entry.event.eventId),
      );
      result.duplicates += group.length - left.length;
      group = left;
    }
  };

  let group: Entry[] = [];
  /** Adds an entry, writing the group first when the entry would not fit in its transaction. */
  const push = async (make: () => Entry) => {
    let entry = make();
    if (group.length > 0 && !fits(batchOf([...group, entry]))) {
      await flush(group);
      group = [];
      // Again: the flush may have read states again.
      entry = make();
    }
    group.push(take(entry));
  };
  for (const delivery of deliveries) await push(() => deliveryCount(delivery));
  for (const count of marked) await push(() => ({ markerId: count.eventId, increments: count.increments }));
  for (const event of events) await push(() => entryOf(event));
  await flush(group);
  return result;
}

/** Every KPI for a period, from its counter items (cumulative ones start at the first month with data). */
export async function kpiReport(store: AggregateStore, period: Period, currency?: string): Promise<Kpis> {
  const months = Object.keys(await store.listCounters('kpi#month#')).sort();
  const first = months[0]?.slice('kpi#month#'.length);
  const periodMonth = period.from.slice(0, 7);
  const since = first && first < periodMonth ? first : periodMonth;
  const counters = await store.getCounters(counterKeysFor(period, since));
  return kpisFrom(counters, period, currency ? { currency } : {});
}

/** Entered, active, converted (with lift against the holdout), exits, nodes, revenue and cost per journey version. */
export async function journeyReport(store: AggregateStore) {
  return journeyReports(await store.listCounters('journey#'));
}
