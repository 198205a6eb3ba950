import { type Clock, systemClock } from '#core/clock.ts';

/** The real clock; tests pass their own. */
export const clock: Clock = systemClock;
