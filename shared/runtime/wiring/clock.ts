import { type Clock, systemClock } from '#ports/clock.ts';

/** The real clock; tests pass their own. */
export const clock: Clock = systemClock;
