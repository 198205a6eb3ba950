import { describe, expect, it, vi } from 'vitest';

// The module parses process.env as it loads (a Lambda fails at cold start): give it a table first.
vi.stubEnv('TEND_TABLE_NAME', 'config-test');
const { parseConfig } = await import('./config.ts');

const env = (extra: Record<string, string> = {}) => ({ TEND_TABLE_NAME: 'tend', ...extra });

describe('retention settings', () => {
  it('keeps inbox records 30 days and the timeline for good by default', () => {
    const config = parseConfig(env());
    expect(config.TEND_INBOX_RETENTION_DAYS).toBe(30);
    expect(config.TEND_TIMELINE_RETENTION_DAYS).toBeUndefined();
  });

  it('reads both periods as whole days, an empty variable counting as unset', () => {
    const config = parseConfig(env({ TEND_INBOX_RETENTION_DAYS: '14', TEND_TIMELINE_RETENTION_DAYS: '730' }));
    expect(config.TEND_INBOX_RETENTION_DAYS).toBe(14);
    expect(config.TEND_TIMELINE_RETENTION_DAYS).toBe(730);
    const blank = parseConfig(env({ TEND_INBOX_RETENTION_DAYS: '', TEND_TIMELINE_RETENTION_DAYS: '' }));
    expect(blank.TEND_INBOX_RETENTION_DAYS).toBe(30);
    expect(blank.TEND_TIMELINE_RETENTION_DAYS).toBeUndefined();
  });

  it.each([
    ['TEND_INBOX_RETENTION_DAYS', '6', /TEND_INBOX_RETENTION_DAYS: at least 7 days/],
    ['TEND_INBOX_RETENTION_DAYS', '10.5', /TEND_INBOX_RETENTION_DAYS: a whole number of days/],
    ['TEND_INBOX_RETENTION_DAYS', 'a month', /TEND_INBOX_RETENTION_DAYS/],
    ['TEND_TIMELINE_RETENTION_DAYS', '0', /TEND_TIMELINE_RETENTION_DAYS: at least 1 day\b/],
    ['TEND_TIMELINE_RETENTION_DAYS', '100000', /TEND_TIMELINE_RETENTION_DAYS: at most 36500 days/],
  ])('refuses %s=%s, naming the variable', (name, value, message) => {
    expect(() => parseConfig(env({ [name]: value }))).toThrow(message);
  });
});
