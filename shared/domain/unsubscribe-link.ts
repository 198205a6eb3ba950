import { createHmac, timingSafeEqual } from 'node:crypto';

const tokenFor = (secret: string, contactId: string): string =>
  createHmac('sha256', secret).update(`unsubscribe:${contactId}`).digest('base64url');

/** The signed one-click unsubscribe URL for a contact (RFC 8058 `List-Unsubscribe`). */
export function unsubscribeUrl(publicUrl: string, secret: string, contactId: string): string {
  const url = new URL('/unsubscribe', publicUrl);
  url.searchParams.set('c', contactId);
  url.searchParams.set('t', tokenFor(secret, contactId));
  return url.toString();
}

/** True when `token` was issued for `contactId` with `secret`; constant-time. */
export function verifyUnsubscribeToken(secret: string, contactId: string, token: string): boolean {
  const expected = Buffer.from(tokenFor(secret, contactId));
  const given = Buffer.from(token);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
