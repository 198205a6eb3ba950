import type { TimelineEvent } from '#domain/contact.ts';
import { journeyReports } from '#domain/journey-report.ts';
import {
  type ContactKpiState,
  type CounterIncrement,
  type CounterStamp,
  counterKeysFor,
  incrementsFor,
  type Kpis,
  kpisFrom,
  type Period,
  STATEFUL_EVENTS,
} from '#domain/kpis.ts';
import type { AggregateStore } from '#ports/aggregates.ts';
import type { InboxRecord } from '#ports/store.ts';

/**
 * Keeps the dashboard's aggregates current: each timeline event, once, becomes counter adds
 * (KPIs by day, month and retention cohort; journeys by version) and an update of the contact's
 * small KPI state. Reports then read a handful of counter items, never events.
 */
export async function aggregateEvent(store: AggregateStore, event: TimelineEvent): Promise<'applied' | 'duplicate'> {
  const before = await store.getKpiState(event.contactId);
  const { increments, state } = incrementsFor(event, before);
  return store.applyAggregates({
    eventId: event.eventId,
    contactId: event.contactId,
    // incrementsFor covers journey.* events too (journeyIncrementsFor), so nothing is added twice.
    increments,
    state,
  });
}

/** Items one transaction may hold (markers, counter keys, contact states). */
const TRANSACTION_ITEMS = 100;

/** A new inbox record, as its source's delivery counts need it. */
export type DeliveryRecord = Pick<InboxRecord, 'inboxId' | 'sourceId' | 'status' | 'receivedAt'>;

/** The counter item of a source's deliveries: `accepted`, `ignored` and `lastDeliveryMs`. */
export const sourceCounterKey = (sourceId: string) => `source#${sourceId}`;

/** A stored delivery's count on its source, applied once under the marker `inbox:<inboxId>`. */
function deliveryCount(record: DeliveryRecord) {
  const key = sourceCounterKey(record.sourceId);
  return {
    markerId: `inbox:${record.inboxId}`,
    increments: [{ key, field: record.status === 'ignored' ? 'ignored' : 'accepted', by: 1 }],
    stamps: [{ key, field: 'lastDeliveryMs', value: Date.parse(record.receivedAt) }],
  };
}

/**
 * Applies a stream batch's events in order, each exactly once, in as few transactions as the
 * item limit allows: the contacts' states are read together, each event's increments computed on
 * its contact's running state, and markers, merged counter adds and final states written at once.
 * When an event of a group was applied before (a replayed record), that group is applied one
 * event at a time instead, which skips it. The batch's new inbox records (`deliveries`) are
 * counted on their sources in the same transactions, each once, and so are `marked` counts (a
 * journey node's visit, under its own marker).
 */
export async function aggregateEvents(
  store: AggregateStore,
  events: readonly TimelineEvent[],
  deliveries: readonly DeliveryRecord[] = [],
  marked: readonly { eventId: string; increments: CounterIncrement[] }[] = [],
): Promise<{ applied: number; duplicates: number }> {
  const result = { applied: 0, duplicates: 0 };
  // Only stateful events read and write the contacts' states; a batch without any reads nothing.
  // Nor does a contact created in this batch: its `contact.created` is the first record of it
  // the stream delivers, so it has no state yet (a replay fails on the markers and is applied
  // one event at a time, reading it).
  const stateful = (event: TimelineEvent) => STATEFUL_EVENTS.includes(event.name);
  const createdHere = new Set(events.filter((e) => e.name === 'contact.created').map((e) => e.contactId));
  for (const e of events) if (e.name === 'contact.merged') createdHere.delete(e.contactId);
  const statefulContacts = [...new Set(events.filter(stateful).map((e) => e.contactId))];
  const readStates = async (all: boolean) => {
    const ids = all ? statefulContacts : statefulContacts.filter((id) => !createdHere.has(id));
    return ids.length > 0 ? store.getKpiStates(ids) : new Map<string, ContactKpiState>();
  };
  const next = (event: TimelineEvent) =>
    incrementsFor(event, stateful(event) ? states.get(event.contactId) : undefined);
  let states = await readStates(false);
  type Entry = { eventId: string; increments: CounterIncrement[]; stamps?: CounterStamp[] } & (
    | { event: TimelineEvent }
    | { delivery: DeliveryRecord }
    | { marked: true }
  );
  let group: Entry[] = [];
  let groupStates = new Map<string, ContactKpiState>();
  let keys = new Set<string>();
  /** Writes the group; answers whether the states had to be read again (a replay was in it). */
  const flush = async (): Promise<boolean> => {
    if (group.length === 0) return false;
    let outcome = await store.applyBatch({ events: group, states: groupStates });
    if (outcome.outcome !== 'applied') {
      // A visit counted before (a send deferred in an earlier batch, now sent; a failed attempt
      // counted by the send itself) is not a replay: leave it out and write the rest at once.
      const counted = new Set(outcome.duplicates);
      const visits = group.filter((e) => 'marked' in e && counted.has(e.eventId));
      if (visits.length === counted.size) {
        group = group.filter((e) => !counted.has(e.eventId));
        result.duplicates += visits.length;
        if (group.length === 0) {
          keys = new Set();
          return false;
        }
        outcome = await store.applyBatch({ events: group, states: groupStates });
      }
    }
    const replayed = outcome.outcome !== 'applied';
    if (!replayed) {
      result.applied += group.length;
    } else {
      for (const entry of group) {
        const once =
          'event' in entry
            ? await aggregateEvent(store, entry.event)
            : await store.addOnce(entry.eventId, entry.increments, entry.stamps);
        result[once === 'applied' ? 'applied' : 'duplicates'] += 1;
      }
      // The running states assumed every event of the group was new: read them all again.
      states = await readStates(true);
    }
    group = [];
    groupStates = new Map();
    keys = new Set();
    return replayed;
  };
  /** Room for one more entry with these counter keys (and a state), writing the group first if full. */
  const makeRoom = async (increments: readonly CounterIncrement[], keepsState: boolean) => {
    const added = new Set(increments.map((i) => i.key).filter((k) => !keys.has(k))).size;
    // Items after this entry: markers, counter keys and states (one more of each at most).
    const size = group.length + 1 + keys.size + added + groupStates.size + (keepsState ? 1 : 0);
    return size > TRANSACTION_ITEMS && (await flush());
  };
  for (const delivery of deliveries) {
    const { markerId, increments, stamps } = deliveryCount(delivery);
    await makeRoom(increments, false);
    group.push({ eventId: markerId, increments, stamps, delivery });
    for (const inc of increments) keys.add(inc.key);
  }
  for (const count of marked) {
    await makeRoom(count.increments, false);
    group.push({ eventId: count.eventId, increments: count.increments, marked: true });
    for (const inc of count.increments) keys.add(inc.key);
  }
  for (const event of events) {
    let computed = next(event);
    const keepsState = stateful(event);
    if (await makeRoom(computed.increments, keepsState)) computed = next(event);
    group.push({ eventId: event.eventId, increments: computed.increments, event });
    for (const inc of computed.increments) keys.add(inc.key);
    if (!keepsState) continue;
    groupStates.set(event.contactId, computed.state);
    states.set(event.contactId, computed.state);
  }
  await flush();
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
