import { describe, expect, it } from 'vitest';
import { zonedTime } from '#core/time-zone.ts';
import { decideSend, quietUntil } from './send-policy.ts';

const quiet = { start: '21:00', end: '08:00', fallback: 'defer' as const };

describe('quiet hours', () => {
  it('defer a 23:00 send in the contact’s time zone to 08:00 the next morning', () => {
    // 23:00 in Paris on 23 November (UTC+1) is 22:00 UTC.
    const decision = decideSend({
      now: new Date('2026-11-23T22:00:00Z'),
      timeZone: 'Europe/Paris',
      quietHours: quiet,
      recentJourneySends: [],
    });
    expect(decision).toEqual({ action: 'defer', reason: 'quiet-hours', until: new Date('2026-11-24T07:00:00Z') });
  });

  it('defer a 02:00 send to 08:00 the same day', () => {
    expect(quietUntil(new Date('2026-11-24T07:00:00Z'), 'Asia/Tokyo', quiet)).toBeUndefined(); // 16:00 Tokyo
    expect(quietUntil(new Date('2026-11-23T17:00:00Z'), 'Asia/Tokyo', quiet)).toEqual(new Date('2026-11-23T23:00:00Z'));
  });

  it('let a send outside the window go now', () => {
    expect(
      decideSend({
        now: new Date('2026-11-23T12:00:00Z'),
        timeZone: 'Europe/Paris',
        quietHours: quiet,
        recentJourneySends: [],
      }),
    ).toEqual({ action: 'send' });
  });

  it('skip instead when the fallback says so', () => {
    expect(
      decideSend({
        now: new Date('2026-11-23T22:00:00Z'),
        timeZone: 'Europe/Paris',
        quietHours: { ...quiet, fallback: 'skip' },
        recentJourneySends: [],
      }),
    ).toEqual({ action: 'skip', reason: 'quiet-hours' });
  });

  it('handle a same-day window and daylight saving changes', () => {
    // 8 March 2026: New York moves to UTC-4 at 02:00 local.
    expect(zonedTime(2026, 3, 8, 8 * 60, 'America/New_York')).toEqual(new Date('2026-03-08T12:00:00Z'));
    expect(zonedTime(2026, 3, 7, 8 * 60, 'America/New_York')).toEqual(new Date('2026-03-07T13:00:00Z'));
    const lunch = { start: '12:00', end: '14:00', fallback: 'defer' as const };
    expect(quietUntil(new Date('2026-07-01T16:30:00Z'), 'America/New_York', lunch)).toEqual(
      new Date('2026-07-01T18:00:00Z'),
    );
  });
});

describe('frequency cap', () => {
  const cap = { max: 2, periodHours: 24 };
  const sends = [new Date('2026-11-23T09:00:00Z'), new Date('2026-11-23T12:00:00Z')];

  it('defers the third journey email in a day until a slot frees', () => {
    const decision = decideSend({
      now: new Date('2026-11-23T15:00:00Z'),
      timeZone: 'UTC',
      cap,
      recentJourneySends: sends,
    });
    expect(decision).toEqual({ action: 'defer', reason: 'frequency-cap', until: new Date('2026-11-24T09:00:01Z') });
  });

  it('lets the second email of the day go', () => {
    expect(
      decideSend({
        now: new Date('2026-11-23T15:00:00Z'),
        timeZone: 'UTC',
        cap,
        recentJourneySends: sends.slice(0, 1),
      }),
    ).toEqual({ action: 'send' });
  });

  it('moves a freed slot that falls in quiet hours to the end of them', () => {
    const decision = decideSend({
      now: new Date('2026-11-23T23:00:00Z'),
      timeZone: 'UTC',
      quietHours: { start: '21:00', end: '08:00', fallback: 'defer' },
      cap,
      recentJourneySends: [new Date('2026-11-23T22:00:00Z'), new Date('2026-11-23T22:30:00Z')],
    });
    // Quiet until 08:00; the cap is still full then and frees at 22:00 the next evening, which is
    // quiet again, so the email goes at 08:00 two days on.
    expect(decision).toEqual({ action: 'defer', reason: 'quiet-hours', until: new Date('2026-11-25T08:00:00Z') });
  });
});
