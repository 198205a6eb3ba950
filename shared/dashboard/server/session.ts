import { SESSION_TTL_SECONDS } from '#people/sessions.ts';
import { type HttpEvent, header } from '#platform/http.ts';

/**
 * The dashboard's cookies: the session (a random id; the session itself is kept server-side,
 * `#people/sessions.ts`) and, before sign-in, the form nonce the sign-in and invitation forms
 * are checked against (`./csrf.ts`). Both HttpOnly, SameSite=Strict, Path=/dashboard, Secure
 * whenever the app is served over https. A single sign-on in progress keeps its state, nonce
 * and PKCE verifier in a third (./sso.ts), SameSite=Lax: it must come back with the browser from
 * the identity provider's site.
 */

export const SESSION_COOKIE = 'tend_session';
export const FORM_COOKIE = 'tend_form';
/** A form nonce lasts a working day: a sign-in page left open longer is refused once, then shown afresh. */
export const FORM_COOKIE_TTL_SECONDS = 12 * 60 * 60;
export const SSO_COOKIE = 'tend_sso';
/** Ten minutes to sign in at the identity provider and come back. */
export const SSO_COOKIE_TTL_SECONDS = 10 * 60;

interface CookieOptions {
  secure: boolean;
  /** 0 deletes the cookie. */
  maxAgeSeconds: number;
  /** Strict unless a cookie must survive a navigation from another site. */
  sameSite?: 'Strict' | 'Lax';
}

/** A `Set-Cookie` value for one of the dashboard's cookies. */
export function setCookie(name: string, value: string, options: CookieOptions): string {
  const parts = [
    `${name}=${value}`,
    'Path=/dashboard',
    'HttpOnly',
    `SameSite=${options.sameSite ?? 'Strict'}`,
    `Max-Age=${options.maxAgeSeconds}`,
  ];
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}

/** The session cookie for a new session id, or (with '') the one that deletes it. */
export const sessionCookie = (sessionId: string, secure: boolean): string =>
  setCookie(SESSION_COOKIE, sessionId, { secure, maxAgeSeconds: sessionId ? SESSION_TTL_SECONDS : 0 });

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

/** API Gateway v2 moves cookies out of the headers into `cookies`; the local gateway leaves them there. */
export const cookieOf = (event: HttpEvent, name: string): string | undefined =>
  readCookie([...(event.cookies ?? []), header(event, 'cookie') ?? ''], name);
