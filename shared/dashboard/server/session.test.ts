import { describe, expect, it } from 'vitest';
import { escapeHtml } from '#core/html.ts';
import { readCookie, SESSION_COOKIE, sessionCookie, signSession, verifySession } from './session.ts';

const secret = 'link-secret-for-tests-0123456789';
const now = new Date('2026-11-26T12:00:00Z');
const later = (seconds: number) => new Date(now.getTime() + seconds * 1000);

describe('dashboard session', () => {
  it('accepts a session it signed until it expires', () => {
    const value = signSession(secret, now, 3600);
    expect(verifySession(secret, value, later(3599))).toEqual({ ok: true, expiresAt: later(3600) });
  });

  it('refuses an expired session', () => {
    expect(verifySession(secret, signSession(secret, now, 3600), later(3600))).toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it('refuses a session whose payload was changed to extend it', () => {
    const [, signature] = signSession(secret, now, 60).split('.');
    const payload = Buffer.from(JSON.stringify({ v: 1, iat: 0, exp: 4_000_000_000 })).toString('base64url');
    expect(verifySession(secret, `${payload}.${signature}`, later(120))).toEqual({ ok: false, reason: 'forged' });
  });

  it('refuses a session signed with another key', () => {
    expect(verifySession(secret, signSession('another-secret-0123456789', now), now)).toMatchObject({
      ok: false,
      reason: 'forged',
    });
  });

  it('refuses a tampered signature, a missing and a malformed value', () => {
    const value = signSession(secret, now);
    const flipped = `${value.slice(0, -1)}${value.endsWith('A') ? 'B' : 'A'}`;
    expect(verifySession(secret, flipped, now)).toMatchObject({ ok: false, reason: 'forged' });
    expect(verifySession(secret, undefined, now)).toMatchObject({ ok: false, reason: 'missing' });
    expect(verifySession(secret, 'no-dot', now)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(verifySession(secret, `${value}.extra`, now)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('sets the cookie HttpOnly and SameSite=Strict, Secure only when asked', () => {
    const plain = sessionCookie('v', { secure: false });
    expect(plain).toContain(`${SESSION_COOKIE}=v`);
    expect(plain).toContain('HttpOnly');
    expect(plain).toContain('SameSite=Strict');
    expect(plain).not.toContain('Secure');
    expect(sessionCookie('v', { secure: true })).toMatch(/; Secure$/);
  });

  it('reads the session from a Cookie header among other cookies', () => {
    expect(readCookie([`a=1; ${SESSION_COOKIE}=abc.def; b=2`], SESSION_COOKIE)).toBe('abc.def');
    expect(readCookie(['other=1'], SESSION_COOKIE)).toBeUndefined();
  });
});

describe('escapeHtml', () => {
  it('escapes markup and both quote characters', () => {
    expect(escapeHtml(`<img src=x onerror="alert('1')">&`)).toBe(
      '&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;',
    );
  });

  it('renders nullish values as empty text and numbers as text', () => {
    expect(escapeHtml(undefined)).toBe('');
    expect(escapeHtml(42)).toBe('42');
  });
});
