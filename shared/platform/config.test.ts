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

describe('single sign-on settings', () => {
  const sso = {
    TEND_OIDC_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123',
    TEND_OIDC_CLIENT_ID: 'tend-dashboard',
  };

  it('is off by default, blank variables counting as unset', () => {
    for (const config of [parseConfig(env()), parseConfig(env({ TEND_OIDC_ISSUER: '', TEND_OIDC_CLIENT_ID: '' }))]) {
      expect(config.TEND_OIDC_ISSUER).toBeUndefined();
      expect(config.TEND_OIDC_CLIENT_ID).toBeUndefined();
    }
  });

  it('takes an https issuer with its client and a secret or a secret ARN, and a name for the button', () => {
    const local = parseConfig(env({ ...sso, TEND_OIDC_CLIENT_SECRET: 's3cret', TEND_OIDC_NAME: ' Okta ' }));
    expect(local).toMatchObject({ ...sso, TEND_OIDC_CLIENT_SECRET: 's3cret', TEND_OIDC_NAME: 'Okta' });
    const aws = parseConfig(
      env({ ...sso, TEND_OIDC_CLIENT_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:x' }),
    );
    expect(aws.TEND_OIDC_CLIENT_SECRET_ARN).toMatch(/^arn:/);
    const loopback = { ...sso, TEND_OIDC_CLIENT_SECRET: 's', TEND_OIDC_ISSUER: 'http://127.0.0.1:9000/realm' };
    expect(parseConfig(env(loopback)).TEND_OIDC_ISSUER).toBe('http://127.0.0.1:9000/realm');
  });

  it.each([
    [{ ...sso }, /TEND_OIDC_ISSUER: single sign-on needs/],
    [
      { TEND_OIDC_ISSUER: sso.TEND_OIDC_ISSUER, TEND_OIDC_CLIENT_SECRET: 's' },
      /TEND_OIDC_ISSUER: single sign-on needs/,
    ],
    [{ TEND_OIDC_CLIENT_ID: 'tend', TEND_OIDC_CLIENT_SECRET: 's' }, /TEND_OIDC_ISSUER: single sign-on needs/],
    [{ ...sso, TEND_OIDC_CLIENT_SECRET: 's', TEND_OIDC_ISSUER: 'http://idp.example.com' }, /TEND_OIDC_ISSUER: https/],
    [{ ...sso, TEND_OIDC_CLIENT_SECRET: 's', TEND_OIDC_ISSUER: 'http://localhost.evil.example' }, /TEND_OIDC_ISSUER/],
    [{ ...sso, TEND_OIDC_CLIENT_SECRET: 's', TEND_OIDC_ISSUER: 'not a url' }, /TEND_OIDC_ISSUER/],
  ])('refuses half a configuration or an insecure issuer (%o)', (vars, message) => {
    expect(() => parseConfig(env(vars))).toThrow(message);
  });
});
