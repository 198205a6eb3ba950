/**
 * Periods the overview offers, in days ending today: the page's choices and the only ones its
 * data endpoint accepts. Plain values, read by the server and bundled into the browser script.
 */
export const OVERVIEW_PERIODS = [7, 30, 90, 180] as const;

/** The overview's period when the URL names none. */
export const DEFAULT_OVERVIEW_DAYS = 30;
