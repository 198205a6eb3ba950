import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Links in emails act for a contact without a login, so each carries an HMAC over what it may
 * do: the purpose, the contact and (for one-click unsubscribe) the topic.
 */
export const LINK_PURPOSES = ['unsubscribe', 'preferences'] as const;
export type LinkPurpose = (typeof LINK_PURPOSES)[number];

/** The query parameter a signed link carries its signature in (the handlers read it as `t`). */
const TOKEN_PARAM = 't';

const sign = (secret: string, purpose: LinkPurpose, contactId: string, topic: string) =>
  createHmac('sha256', secret).update(`${purpose}\u0000${contactId}\u0000${topic}`).digest('base64url');

export function signedLink(
  publicUrl: string,
  secret: string,
  purpose: LinkPurpose,
  contactId: string,
  topic?: string,
): string {
  const url = new URL(`/${purpose}`, publicUrl);
  url.searchParams.set('c', contactId);
  if (topic) url.searchParams.set('topic', topic);
  url.searchParams.set(TOKEN_PARAM, sign(secret, purpose, contactId, topic ?? ''));
  return url.toString();
}

/** True when `token` was issued for this purpose, contact and topic; constant-time. */
export function verifyLinkToken(
  secret: string,
  purpose: LinkPurpose,
  contactId: string,
  topic: string | undefined,
  token: string,
): boolean {
  const expected = Buffer.from(sign(secret, purpose, contactId, topic ?? ''));
  const given = Buffer.from(token);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * True when `url` has the shape of a signed link (its purpose's path and a token), whatever the
 * host: following one is consent management, not engagement, so it is never counted as a click.
 */
export function isSignedLink(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return LINK_PURPOSES.some((purpose) => parsed.pathname === `/${purpose}`) && parsed.searchParams.has(TOKEN_PARAM);
}
