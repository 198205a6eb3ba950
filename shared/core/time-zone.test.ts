import { describe, expect, it } from 'vitest';
import { isTimeZone } from './time-zone.ts';

describe('isTimeZone', () => {
  it('accepts UTC and canonical IANA names', () => {
    expect(['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata'].every(isTimeZone)).toBe(true);
  });

  it('accepts the aliases Intl accepts, which its list of canonical zones leaves out', () => {
    expect(Intl.supportedValuesOf('timeZone')).not.toContain('US/Pacific');
    expect(isTimeZone('US/Pacific')).toBe(true);
    expect(isTimeZone('Etc/GMT+5')).toBe(true);
  });

  it('refuses what is not a time zone', () => {
    expect(['Mars/Olympus', 'Europe/Pariss', '', 'UTC+1'].some(isTimeZone)).toBe(false);
  });
});
