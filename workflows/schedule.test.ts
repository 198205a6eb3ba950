import { describe, expect, it } from 'vitest';
import { inactivityDue, nextDateOccurrence, nextScheduleRun, nextTimeOfDay, waitUntilTarget } from './schedule.ts';
import { dateTriggerSchema, inactivityTriggerSchema, scheduleTriggerSchema } from './trigger.schema.ts';

describe('journey time', () => {
  it('finds the next weekday morning in the contact’s time zone, across DST', () => {
    // Friday 2026-10-23 20:00 in Paris → Monday 26 October 10:00 Paris (UTC+1 after the change).
    expect(nextTimeOfDay(new Date('2026-10-23T18:00:00Z'), 'Europe/Paris', '10:00', ['mon', 'tue'])).toEqual(
      new Date('2026-10-26T09:00:00Z'),
    );
    // Same day when the time is still ahead.
    expect(nextTimeOfDay(new Date('2026-11-26T06:00:00Z'), 'UTC', '09:00')).toEqual(new Date('2026-11-26T09:00:00Z'));
  });

  it('waits until a date property plus an offset, or goes on when there is none', () => {
    const until = { property: 'properties.renewal', offset: { days: -3 }, time: '08:00' };
    const read = (p: string) => (p === 'properties.renewal' ? '2026-12-20' : undefined);
    expect(waitUntilTarget(until, new Date('2026-11-26T00:00:00Z'), 'Asia/Tokyo', read)).toEqual(
      new Date('2026-12-16T23:00:00Z'),
    );
    expect(waitUntilTarget(until, new Date('2026-11-26T00:00:00Z'), 'UTC', () => undefined)).toBeUndefined();
    expect(
      waitUntilTarget({ property: 'createdAt', offset: { hours: 2 } }, new Date(), 'UTC', () => '2026-11-01T10:00:00Z'),
    ).toEqual(new Date('2026-11-01T12:00:00Z'));
  });

  it('fires yearly dates every year (29 February on the 28th), one-off dates once', () => {
    const birthday = dateTriggerSchema.parse({
      type: 'date',
      property: 'properties.birthday',
      repeat: 'yearly',
      at: '09:00',
    });
    expect(nextDateOccurrence(birthday, '1990-02-28', 'UTC', new Date('2026-11-26T00:00:00Z'))).toEqual(
      new Date('2027-02-28T09:00:00Z'),
    );
    expect(nextDateOccurrence(birthday, '1992-02-29', 'UTC', new Date('2026-11-26T00:00:00Z'))).toEqual(
      new Date('2027-02-28T09:00:00Z'),
    );
    const reminder = dateTriggerSchema.parse({ type: 'date', property: 'properties.renewal', offset: { days: -7 } });
    expect(nextDateOccurrence(reminder, '2026-12-20', 'UTC', new Date('2026-11-26T00:00:00Z'))).toEqual(
      new Date('2026-12-13T09:00:00Z'),
    );
    expect(nextDateOccurrence(reminder, '2026-01-20', 'UTC', new Date('2026-11-26T00:00:00Z'))).toBeUndefined();
    expect(nextDateOccurrence(reminder, 'not a date', 'UTC', new Date())).toBeUndefined();
  });

  it('runs schedules daily, weekly and monthly, strictly after the last run', () => {
    const after = new Date('2026-11-26T09:00:00Z'); // a Thursday, at the daily time
    expect(nextScheduleRun(scheduleTriggerSchema.parse({ type: 'schedule', every: 'day' }), 'UTC', after)).toEqual(
      new Date('2026-11-27T09:00:00Z'),
    );
    expect(
      nextScheduleRun(scheduleTriggerSchema.parse({ type: 'schedule', every: 'week', weekday: 'mon' }), 'UTC', after),
    ).toEqual(new Date('2026-11-30T09:00:00Z'));
    expect(
      nextScheduleRun(
        scheduleTriggerSchema.parse({ type: 'schedule', every: 'month', dayOfMonth: 1, at: '07:30' }),
        'Europe/Paris',
        after,
      ),
    ).toEqual(new Date('2026-12-01T06:30:00Z'));
  });

  it('counts inactivity from the last event', () => {
    const trigger = inactivityTriggerSchema.parse({ type: 'inactivity', event: 'order.placed', after: { days: 60 } });
    expect(inactivityDue(trigger, '2026-09-01T10:00:00Z')).toEqual(new Date('2026-10-31T10:00:00Z'));
  });
});
