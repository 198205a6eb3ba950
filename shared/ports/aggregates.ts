import type { ContactKpiState, CounterIncrement, CounterStamp, Counters } from '#domain/kpis.ts';

/**
 * Dashboard aggregates, kept up to date as timeline events arrive: counter items (KPIs by day,
 * month and cohort; journeys by version) and each contact's small KPI state. Pages read these
 * items only, never the events.
 */
export interface AggregateStore {
  /**
   * Applies one event's counter increments and the contact's new state, exactly once: a second
   * call with the same event id changes nothing and answers `duplicate`.
   */
  applyAggregates(input: {
    eventId: string;
    contactId: string;
    increments: readonly CounterIncrement[];
    state: ContactKpiState;
  }): Promise<'applied' | 'duplicate'>;
  /**
   * Applies several events' increments and the contacts' resulting states at once, exactly once:
   * all of them, or none when any event was applied before (its id is then in `duplicates`).
   * At most 100 items in all (events, distinct counter keys, contacts). An entry may also stamp
   * counter fields (`stamps`); its `eventId` is then any id unique to what it counts.
   */
  applyBatch(input: {
    events: readonly { eventId: string; increments: readonly CounterIncrement[]; stamps?: readonly CounterStamp[] }[];
    states: ReadonlyMap<string, ContactKpiState>;
  }): Promise<{ outcome: 'applied' } | { outcome: 'duplicate'; duplicates: string[] }>;
  /** Applies counter increments (and stamps) once per `markerId` (a node visit, keyed by enrollment and node). */
  addOnce(
    markerId: string,
    increments: readonly CounterIncrement[],
    stamps?: readonly CounterStamp[],
  ): Promise<'applied' | 'duplicate'>;
  getKpiState(contactId: string): Promise<ContactKpiState | undefined>;
  /** The states of these contacts (those that have one). */
  getKpiStates(contactIds: readonly string[]): Promise<Map<string, ContactKpiState>>;
  /** The named counter items (missing ones are left out). */
  getCounters(keys: readonly string[]): Promise<Counters>;
  /** Every counter item whose key starts with `prefix` (e.g. `journey#`). */
  listCounters(prefix: string): Promise<Counters>;
}
