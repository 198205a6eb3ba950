import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The dashboard's session: a cookie holding `<payload>.<signature>`, both base64url, where the
 * payload is `{"v":1,"iat":…,"exp":…}` (seconds) and the signature an HMAC-SHA256 under a key
 * derived from the link secret for this purpose only, so no unsubscribe-link signature can ever
 * pass as a session (and the reverse).
 */

export const SESSION_COOKIE = 'tend_session';
/** Eight hours: a working day, then sign in again. */
export const SESSION_TTL_SECONDS = 8 * 60 * 60;

interface SessionPayload {
  v: 1;
  iat: number;
  exp: number;
}

const sessionKey = (secret: string) => createHmac('sha256', secret).update('tend-dashboard-session-v1').digest();
const sign = (secret: string, payload: string) =>
  createHmac('sha256', sessionKey(secret)).update(payload).digest('base64url');

/** A new session value, valid for `ttlSeconds` from `now`. */
export function signSession(secret: string, now: Date, ttlSeconds = SESSION_TTL_SECONDS): string {
  const iat = Math.floor(now.getTime() / 1000);
  const payload = Buffer.from(JSON.stringify({ v: 1, iat, exp: iat + ttlSeconds } satisfies SessionPayload)).toString(
    'base64url',
  );
  return `${payload}.${sign(secret, payload)}`;
}

export type SessionCheck =
  | { ok: true; expiresAt: Date }
  | { ok: false; reason: 'missing' | 'malformed' | 'forged' | 'expired' };

/** Checks a session value's signature (in constant time) and expiry. */
export function verifySession(secret: string, value: string | undefined, now: Date): SessionCheck {
  if (!value) return { ok: false, reason: 'missing' };
  const [payload, signature, ...rest] = value.split('.');
  if (!payload || !signature || rest.length > 0) return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(sign(secret, payload));
  const actual = Buffer.from(signature);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return { ok: false, reason: 'forged' };
  let parsed: Partial<SessionPayload>;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<SessionPayload>;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (parsed.v !== 1 || typeof parsed.exp !== 'number') return { ok: false, reason: 'malformed' };
  if (parsed.exp * 1000 <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, expiresAt: new Date(parsed.exp * 1000) };
}

/** The `Set-Cookie` value for a session; Secure whenever the app is served over https. */
export function sessionCookie(value: string, options: { secure: boolean; maxAgeSeconds?: number }): string {
  const parts = [
    `${SESSION_COOKIE}=${value}`,
    'Path=/dashboard',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${options.maxAgeSeconds ?? SESSION_TTL_SECONDS}`,
  ];
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}

/** A cookie's value from `Cookie` header lines (or API Gateway v2's `cookies` array). */
export function readCookie(cookies: readonly string[], name: string): string | undefined {
  for (const line of cookies) {
    for (const pair of line.split(';')) {
      const at = pair.indexOf('=');
      if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
    }
  }
  return undefined;
}
