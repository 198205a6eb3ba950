import type { CounterIncrement, CounterStamp, Counters } from './counters.ts';
import type { ContactKpiState } from './kpi-counters.ts';

/**
 * Dashboard aggregates, kept up to date as timeline events arrive: counter items (KPIs by day,
 * month and cohort; journeys by version) and each contact's small KPI state. Pages read these
 * items only, never the events.
 *
 * Exactly once, two ways. What belongs to a contact (its timeline events) is guarded by the
 * contact's KPI state item: the ids applied to it are kept there for at least a day (a stream
 * record is replayed, if ever, within the 24 hours the stream keeps it), so a replay is refused
 * by the same write that would apply it, without a marker item per event. What belongs to no
 * contact (a source's delivery, a journey step's visits) has its own marker item (kept 30 days).
 * Upgrading from a version that kept a marker item per event: a record that version applied and
 * the stream replays after the upgrade is recognised if it moved the contact's facts (its id is
 * in the state's old `recent` list), not otherwise; let the stream drain before upgrading.
 */
export interface AggregateStore {
  /**
   * Applies a batch at once, all of it or nothing: the counter adds and stamps, each marker's
   * item, and each contact's guard (and new state). Refused when a marker exists, when one of a
   * contact's ids was applied to it before, or when a contact's state is no longer at `rev`:
   * the outcome then names the markers and contacts to look at again. At most 100 items in all
   * (markers, distinct counter keys, contacts) and {@link CONTACT_IDS_PER_WRITE} ids per contact.
   */
  applyBatch(input: AggregateBatch): Promise<AggregateOutcome>;
  /** Applies counter increments (and stamps) once per `markerId` (a node visit, keyed by enrollment and node). */
  addOnce(
    markerId: string,
    increments: readonly CounterIncrement[],
    stamps?: readonly CounterStamp[],
  ): Promise<'applied' | 'duplicate'>;
  /** The stored states of these contacts (those that have one), read consistently. */
  getKpiStates(contactIds: readonly string[]): Promise<Map<string, StoredKpiState>>;
  /** The named counter items (missing ones are left out). */
  getCounters(keys: readonly string[]): Promise<Counters>;
  /** Every counter item whose key starts with `prefix` (e.g. `journey#`). */
  listCounters(prefix: string): Promise<Counters>;
}

/** How many ids one contact's write may guard (a condition expression has a size limit). */
export const CONTACT_IDS_PER_WRITE = 25;

export interface AggregateBatch {
  /** Counter adds of everything in the batch (the store merges them by key). */
  increments: readonly CounterIncrement[];
  /** Counter fields set to the larger of the stored and the given value. */
  stamps?: readonly CounterStamp[];
  /** Ids applied once by their own marker item. */
  markers: readonly string[];
  contacts: readonly ContactWrite[];
}

/** One contact's part of a batch. */
export interface ContactWrite {
  contactId: string;
  /** The ids (event ids) this write applies to the contact, each once. */
  ids: readonly string[];
  /**
   * The contact's new state, when an event moved it, computed from the stored state at `rev`
   * (undefined: from no stored state; 0: from one an earlier version wrote, without a
   * revision). Without it, the stored state is left as it is.
   */
  state?: ContactKpiState;
  rev?: number;
}

export type AggregateOutcome =
  | { outcome: 'applied' }
  /** `markers` existed; `contacts` had an id applied before or moved past `rev`. */
  | { outcome: 'refused'; markers: string[]; contacts: string[] };

/** A contact's stored KPI state, its revision (every write adds one; 0 if none) and what was applied to it. */
export interface StoredKpiState {
  state: ContactKpiState;
  rev: number;
  /** Whether this id was applied to the contact (in the last day at least). */
  applied(id: string): boolean;
}
