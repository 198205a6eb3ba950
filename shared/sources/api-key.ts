import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** What an API key may do. Stored with the key; never rename one. */
export const API_SCOPES = ['events:write', 'contacts:import'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/**
 * Keys look like `tend_<keyId>_<secret>`. Only SHA-256 of the secret is stored: the secret is
 * 32 random bytes, so a fast hash is enough (slow password hashes guard guessable secrets).
 */
export function newApiKey(): { keyId: string; secret: string; token: string; hash: string } {
  const keyId = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { keyId, secret, token: `tend_${keyId}_${secret}`, hash: hashSecret(secret) };
}

export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/** Splits a presented token; undefined when it does not have the key shape. */
export function parseApiKey(token: string): { keyId: string; secret: string } | undefined {
  const match = /^tend_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/.exec(token);
  return match ? { keyId: match[1] as string, secret: match[2] as string } : undefined;
}

/** Constant-time check of a presented secret against the stored hash. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const given = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}
