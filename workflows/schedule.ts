import { wallClock, zonedTime } from '#core/time-zone.ts';
import type { NodeOf } from './journey.schema.ts';
import { durationSeconds, offsetMs } from './journey-nodes.ts';
import type { Offset } from './time.schema.ts';
import type { Trigger } from './trigger.schema.ts';
import { WEEKDAYS, type Weekday } from './weekdays.ts';

/**
 * When things happen in journey time: wait-until targets, date-trigger occurrences, schedule
 * runs and inactivity deadlines. Pure (time comes in as arguments), shared by the step Lambda,
 * the journey scheduler and the simulator.
 */

const DAY_MS = 86_400_000;
const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Weekday of an instant in a time zone. */
export function weekdayIn(at: Date, timeZone: string): Weekday {
  const w = wallClock(at, timeZone);
  const index = (new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay() + 6) % 7; // Monday first
  return WEEKDAYS[index] as Weekday;
}

/** The first instant at or after `from` when the zone's clock shows `time` on one of `weekdays`. */
export function nextTimeOfDay(from: Date, timeZone: string, time: string, weekdays: readonly Weekday[] = []): Date {
  const w = wallClock(from, timeZone);
  for (let offset = 0; offset <= 8; offset++) {
    const day = new Date(Date.UTC(w.year, w.month - 1, w.day) + offset * DAY_MS);
    const candidate = zonedTime(
      day.getUTCFullYear(),
      day.getUTCMonth() + 1,
      day.getUTCDate(),
      minutesOf(time),
      timeZone,
    );
    if (candidate.getTime() < from.getTime()) continue;
    if (weekdays.length === 0 || weekdays.includes(weekdayIn(candidate, timeZone))) return candidate;
  }
  throw new Error(`no ${time} on ${weekdays.join('/')} within a week of ${from.toISOString()}`);
}

/** A calendar date read from a contact value: `YYYY-MM-DD…` (time part ignored) or undefined. */
export function calendarDate(value: unknown): { year: number; month: number; day: number } | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  return { year, month, day };
}

/** That date in another year; 29 February becomes the 28th in years without it. */
function inYear(date: { month: number; day: number }, year: number) {
  const last = new Date(Date.UTC(year, date.month, 0)).getUTCDate();
  return { year, month: date.month, day: Math.min(date.day, last) };
}

const atLocal = (d: { year: number; month: number; day: number }, time: string, timeZone: string, offset: Offset) =>
  new Date(zonedTime(d.year, d.month, d.day, minutesOf(time), timeZone).getTime() + offsetMs(offset));

/**
 * The instant a wait-until node waits for, or undefined when it cannot say (a missing or
 * unreadable date): the step then goes on at once.
 */
export function waitUntilTarget(
  until: NodeOf<'wait-until'>['until'],
  now: Date,
  timeZone: string,
  readValue: (property: string) => unknown,
): Date | undefined {
  if (!('property' in until)) return nextTimeOfDay(now, timeZone, until.time, until.weekdays);
  const raw = readValue(until.property);
  // A full timestamp without a time of day: that very instant, shifted.
  if (typeof raw === 'string' && !until.time && /T\d{2}:\d{2}/.test(raw) && !Number.isNaN(Date.parse(raw))) {
    return new Date(Date.parse(raw) + offsetMs(until.offset));
  }
  const date = calendarDate(raw);
  return date ? atLocal(date, until.time ?? '09:00', timeZone, until.offset) : undefined;
}

/** The next occurrence of a date trigger at or after `from`, or undefined (a one-off already past). */
export function nextDateOccurrence(
  trigger: Extract<Trigger, { type: 'date' }>,
  value: unknown,
  timeZone: string,
  from: Date,
): Date | undefined {
  const date = calendarDate(value);
  if (!date) return undefined;
  if (trigger.repeat === 'once') {
    const at = atLocal(date, trigger.at, timeZone, trigger.offset);
    return at.getTime() >= from.getTime() ? at : undefined;
  }
  const year = wallClock(from, timeZone).year;
  for (const y of [year - 1, year, year + 1, year + 2]) {
    const at = atLocal(inYear(date, y), trigger.at, timeZone, trigger.offset);
    if (at.getTime() >= from.getTime()) return at;
  }
  return undefined;
}

/** The first run of a schedule trigger strictly after `after`. */
export function nextScheduleRun(trigger: Extract<Trigger, { type: 'schedule' }>, timeZone: string, after: Date): Date {
  const from = new Date(after.getTime() + 1000);
  switch (trigger.every) {
    case 'day':
      return nextTimeOfDay(from, timeZone, trigger.at);
    case 'week':
      return nextTimeOfDay(from, timeZone, trigger.at, [trigger.weekday ?? 'mon']);
    case 'month': {
      const w = wallClock(from, timeZone);
      for (let i = 0; i < 3; i++) {
        const month = new Date(Date.UTC(w.year, w.month - 1 + i, 1));
        const at = zonedTime(
          month.getUTCFullYear(),
          month.getUTCMonth() + 1,
          trigger.dayOfMonth ?? 1,
          minutesOf(trigger.at),
          timeZone,
        );
        if (at.getTime() >= from.getTime()) return at;
      }
      throw new Error('no monthly run found within three months');
    }
  }
}

/** When an inactivity trigger fires if nothing happens after `lastAt`. */
export const inactivityDue = (trigger: Extract<Trigger, { type: 'inactivity' }>, lastAt: string): Date =>
  new Date(Date.parse(lastAt) + durationSeconds(trigger.after) * 1000);
