import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { type HttpEvent, header } from '#platform/http.ts';

/**
 * Cross-site request forgery: every form the dashboard answers a POST to carries a token, and
 * the request must come from the dashboard's own origin.
 *
 * - Signed in, the token is an HMAC of the session id: another site cannot read it from the
 *   page, and it is worth nothing with another session.
 * - Before sign-in (the sign-in and invitation forms), there is no session: the token is an HMAC
 *   of a random nonce kept in a cookie of its own (a signed double submit). A cookie planted
 *   from elsewhere does not help, since its HMAC cannot be made without the key.
 *
 * The key is derived from the link secret for this purpose only. Tokens are compared in constant
 * time. SameSite=Strict cookies already keep other sites' posts from carrying them; the token
 * and the origin check each hold without it.
 */

/** The hidden field every form carries. */
export const CSRF_FIELD = 'csrf';

/** A nonce for the form cookie: 32 random bytes, base64url. */
export const newFormNonce = (): string => randomBytes(32).toString('base64url');
const NONCE = /^[A-Za-z0-9_-]{43}$/;
export const isFormNonce = (value: string | undefined): value is string => value !== undefined && NONCE.test(value);

/** What a token is tied to: a signed-in session's id, or the form cookie's nonce. */
export type CsrfBinding = { session: string } | { nonce: string };

const keyOf = (secret: string) => createHmac('sha256', secret).update('tend-dashboard-csrf-v1').digest();

/** The token a form carries for `binding`. */
export function csrfToken(secret: string, binding: CsrfBinding): string {
  const subject = 'session' in binding ? `session\0${binding.session}` : `form\0${binding.nonce}`;
  return createHmac('sha256', keyOf(secret)).update(subject).digest('base64url');
}

/** Whether `given` is the token for `binding`, compared in constant time. */
export function csrfMatches(secret: string, binding: CsrfBinding, given: string | null | undefined): boolean {
  if (!given) return false;
  const expected = Buffer.from(csrfToken(secret, binding));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * Whether a POST comes from the dashboard's own pages: its `Origin` (else its `Referer`) is the
 * public URL's origin or the origin of the host it was sent to (a browser names the page that
 * sent a form, never the host it targets, so a match means this site's own page). `Origin: null`
 * (a sandboxed or privacy-stripped sender) is refused. A client sending neither (not a browser)
 * is judged by its token alone; `Sec-Fetch-Site`, when sent, must say same-origin.
 */
export function fromOwnOrigin(event: HttpEvent, publicUrl: string): boolean {
  const publicOrigin = new URL(publicUrl);
  const allowed = new Set([publicOrigin.origin]);
  const host = header(event, 'host');
  if (host) allowed.add(`${publicOrigin.protocol}//${host}`);
  const site = header(event, 'sec-fetch-site');
  if (site !== undefined && site !== 'same-origin') return false;
  const origin = header(event, 'origin');
  if (origin !== undefined) return allowed.has(origin);
  const referer = header(event, 'referer');
  if (referer === undefined) return true;
  try {
    return allowed.has(new URL(referer).origin);
  } catch {
    return false;
  }
}
