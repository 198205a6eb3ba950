/**
 * How a stream consumer of the manifest becomes an event source mapping: its default concurrency
 * and its filter patterns, the same for the CDK mapping and the local stream driver.
 */

import type { StreamSpec } from './manifest.ts';

/** Stream consumers work on this many batches per shard at once unless their spec says otherwise. */
export const DEFAULT_PARALLELIZATION_FACTOR = 10;

/** One event filter pattern of a stream mapping (Lambda FilterCriteria; the local driver applies the same). */
export interface StreamFilter {
  eventName: readonly string[];
  /** The new image's `type` is one of these... */
  types: readonly string[];
  /** ...and, when set, its `name` one of these. */
  names?: readonly string[];
}

/**
 * A consumer's filters (a record reaching it matches at least one): one for its item types,
 * or, with `eventNames`, one for the named timeline events and one for its other item types.
 */
export function streamFilters(spec: StreamSpec): StreamFilter[] {
  const eventName = spec.changes ?? ['INSERT'];
  if (!spec.eventNames || !spec.itemTypes.includes('event')) return [{ eventName, types: spec.itemTypes }];
  const others = spec.itemTypes.filter((t) => t !== 'event');
  return [
    { eventName, types: ['event'], names: spec.eventNames },
    ...(others.length > 0 ? [{ eventName, types: others }] : []),
  ];
}
