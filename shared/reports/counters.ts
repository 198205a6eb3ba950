/**
 * The counter items reports read (KPIs in kpis.ts, journeys in journey-report.ts): what an event
 * adds to them and how they are loaded. Apart from both so neither imports the other's shapes.
 */

export interface CounterIncrement {
  key: string;
  field: string;
  by: number;
}

/**
 * A counter field set to a value rather than added to (the time of a source's latest delivery,
 * in epoch milliseconds). Where several batches set it at once, the last write wins.
 */
export interface CounterStamp {
  key: string;
  field: string;
  value: number;
}

/** Counter items as loaded from the store: key → field → value. */
export type Counters = Record<string, Record<string, number>>;
