import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Personal tokens look like `tendu_<userId>_<tokenId>_<secret>`: the user and token ids let one
 * read fetch both records, and only SHA-256 of the secret is stored. The secret is 32 random
 * bytes, so a fast hash is enough (slow password hashes guard guessable secrets).
 */
export function newPersonalToken(userId: string): { tokenId: string; token: string; hash: string } {
  const tokenId = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { tokenId, token: `tendu_${userId}_${tokenId}_${secret}`, hash: sha256(secret) };
}

export const sha256 = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/** Splits a presented token; undefined when it does not have the personal token's shape. */
export function parsePersonalToken(token: string): { userId: string; tokenId: string; secret: string } | undefined {
  const match = /^tendu_([0-9a-f]{12})_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/.exec(token);
  return match ? { userId: match[1] as string, tokenId: match[2] as string, secret: match[3] as string } : undefined;
}

/** Constant-time check of a presented secret against its stored SHA-256 hex. */
export function hashMatches(secret: string, storedHash: string): boolean {
  const given = Buffer.from(sha256(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}

/** A new user id: 12 hex characters. */
export const newUserId = (): string => randomBytes(6).toString('hex');

/** An invitation: `<userId>.<secret>` in the link, SHA-256 of the secret stored. */
export function newInvitation(userId: string): { token: string; hash: string } {
  const secret = randomBytes(32).toString('base64url');
  return { token: `${userId}.${secret}`, hash: sha256(secret) };
}
