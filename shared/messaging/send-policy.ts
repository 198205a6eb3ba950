import { wallClock, zonedTime } from '#core/time-zone.ts';
import type { FrequencyCap, QuietHours } from '#workflows/send-limits.ts';

/**
 * When a journey email may go out: quiet hours in the contact's time zone and a frequency cap
 * on journey emails shared across journeys. Pure: time comes in as an argument.
 */

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
