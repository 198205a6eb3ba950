/** Days of the week, as `wait-until` and schedules name them (apart, so the schema and the helpers share them without importing each other). */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
