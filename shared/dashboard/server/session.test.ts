import { describe, expect, it } from 'vitest';
import { escapeHtml } from '#core/html.ts';
import { SESSION_TTL_SECONDS } from '#people/sessions.ts';
import { readCookie, SESSION_COOKIE, sessionCookie, setCookie } from './session.ts';

describe('dashboard cookies', () => {
  it('sets the session cookie HttpOnly, SameSite=Strict, on /dashboard, Secure only over https', () => {
    const plain = sessionCookie('v', false);
    expect(plain).toBe(
      `${SESSION_COOKIE}=v; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age=${SESSION_TTL_SECONDS}`,
    );
    expect(sessionCookie('v', true)).toMatch(/; Secure$/);
  });

  it('deletes the session cookie with an empty value and no age', () => {
    expect(sessionCookie('', true)).toBe(
      `${SESSION_COOKIE}=; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age=0; Secure`,
    );
    expect(setCookie('x', 'y', { secure: false, maxAgeSeconds: 60 })).toContain('Max-Age=60');
  });

  it('reads a cookie from a Cookie header among other cookies', () => {
    expect(readCookie([`a=1; ${SESSION_COOKIE}=abc-def; b=2`], SESSION_COOKIE)).toBe('abc-def');
    expect(readCookie(['other=1'], SESSION_COOKIE)).toBeUndefined();
    expect(readCookie(['', `${SESSION_COOKIE}=from-array`], SESSION_COOKIE)).toBe('from-array');
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
