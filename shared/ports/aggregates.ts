import type { ContactKpiState, CounterIncrement, Counters } from '#domain/kpis.ts';

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
  /** Applies counter increments once per `markerId` (a node visit, keyed by enrollment and node). */
  addOnce(markerId: string, increments: readonly CounterIncrement[]): Promise<'applied' | 'duplicate'>;
  getKpiState(contactId: string): Promise<ContactKpiState | undefined>;
  /** The named counter items (missing ones are left out). */
  getCounters(keys: readonly string[]): Promise<Counters>;
  /** Every counter item whose key starts with `prefix` (e.g. `journey#`). */
  listCounters(prefix: string): Promise<Counters>;
}
