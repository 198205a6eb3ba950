import { config } from '../config.ts';
import { aggregates } from './aggregates.ts';
import { clock } from './clock.ts';
import { eventStore } from './event-store.ts';
import { journeyRuntime } from './journeys.ts';
import { versions } from './versions.ts';

/** What routing, steps and the journey scheduler share; the store is the event path's cached one. */
export const journeyDeps = {
  store: eventStore,
  runtime: journeyRuntime,
  clock,
  versions,
  aggregates,
  settings: { defaultTimeZone: config.TEND_DEFAULT_TIME_ZONE },
};
