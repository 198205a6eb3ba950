import * as z from 'zod';

/**
 * When a journey email may go out: quiet hours in the contact's time zone and a frequency cap
 * on journey emails shared across journeys. Pure: time comes in as an argument.
 */
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use 24-hour HH:MM, e.g. "21:00"');

export const quietHoursSchema = z
  .object({
    start: clock,
    end: clock,
    /** What to do with a send that falls inside: wait for the window to open, or drop it. */
    fallback: z.enum(['defer', 'skip']).default('defer'),
  })
  .strict()
  .refine((q) => q.start !== q.end, 'quiet hours must not start and end at the same time');

export const frequencyCapSchema = z
  .object({
    max: z.number().int().min(1).max(100),
    periodHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 31),
  })
  .strict();

export type QuietHours = z.infer<typeof quietHoursSchema>;
export type FrequencyCap = z.infer<typeof frequencyCapSchema>;

export type SendDecision =
  | { action: 'send' }
  | { action: 'defer'; until: Date; reason: 'quiet-hours' | 'frequency-cap' }
  | { action: 'skip'; reason: 'quiet-hours' };

export interface SendPolicyInput {
  now: Date;
  /** IANA time zone of the contact, e.g. "Europe/Paris". */
  timeZone: string;
  quietHours?: QuietHours;
  cap?: FrequencyCap;
  /** When the contact's recent journey emails went out, any journey. */
  recentJourneySends: readonly Date[];
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** One formatter per time zone: building an Intl.DateTimeFormat costs far more than using one. */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Wall-clock parts of an instant in a time zone. */
export function wallClock(at: Date, timeZone: string) {
  const parts = formatterFor(timeZone).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
  };
}

/** Milliseconds the zone is ahead of UTC at an instant. */
function offsetMs(at: Date, timeZone: string): number {
  const w = wallClock(at, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(at.getTime() / 1000) * 1000;
}

/** The instant at which the zone's wall clock shows the given local date and time. */
export function zonedTime(year: number, month: number, day: number, minutes: number, timeZone: string): Date {
  const guess = Date.UTC(year, month - 1, day, Math.floor(minutes / 60), minutes % 60);
  const first = guess - offsetMs(new Date(guess), timeZone);
  // A second pass corrects for a DST change between the guess and the answer.
  return new Date(guess - offsetMs(new Date(first), timeZone));
}

/** When the quiet window containing `now` ends, or undefined when `now` is outside it. */
export function quietUntil(now: Date, timeZone: string, quiet: QuietHours): Date | undefined {
  const w = wallClock(now, timeZone);
  const current = w.hour * 60 + w.minute;
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  const overnight = start > end;
  const inside = overnight ? current >= start || current < end : current >= start && current < end;
  if (!inside) return undefined;
  // The window ends today, unless it wraps past midnight and we are still before midnight.
  const endsTomorrow = overnight && current >= start;
  const today = Date.UTC(w.year, w.month - 1, w.day);
  const day = new Date(today + (endsTomorrow ? 86_400_000 : 0));
  return zonedTime(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), end, timeZone);
}

/** Decides whether a journey email goes now, later (and when) or not at all. */
export function decideSend(input: SendPolicyInput): SendDecision {
  let at = input.now;
  let reason: 'quiet-hours' | 'frequency-cap' | undefined;
  // Each round moves `at` forward; a cap slot and a quiet window can push each other at most a
  // few times, so a small bound suffices.
  for (let round = 0; round < 8; round++) {
    if (input.quietHours) {
      const until = quietUntil(at, input.timeZone, input.quietHours);
      if (until) {
        if (input.quietHours.fallback === 'skip' && round === 0) return { action: 'skip', reason: 'quiet-hours' };
        at = until;
        reason ??= 'quiet-hours';
        continue;
      }
    }
    if (input.cap) {
      const periodMs = input.cap.periodHours * 3_600_000;
      const inWindow = input.recentJourneySends
        .filter((s) => s.getTime() > at.getTime() - periodMs && s.getTime() <= at.getTime())
        .sort((a, b) => a.getTime() - b.getTime());
      if (inWindow.length >= input.cap.max) {
        // A slot frees when the oldest send that keeps the window full leaves it.
        const freeing = inWindow[inWindow.length - input.cap.max] as Date;
        at = new Date(freeing.getTime() + periodMs + 1_000);
        reason ??= 'frequency-cap';
        continue;
      }
    }
    return reason ? { action: 'defer', until: at, reason } : { action: 'send' };
  }
  return { action: 'defer', until: at, reason: reason ?? 'frequency-cap' };
}
