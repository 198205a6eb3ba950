import { createHash, randomUUID } from 'node:crypto';

/**
 * A short deterministic id from its parts, valid as a Step Functions execution name
 * (1-80 chars of [A-Za-z0-9-_]). The same parts always give the same id, which is what makes
 * enrollment and timeline writes safe to replay.
 */
export const deterministicId = (prefix: string, ...parts: string[]): string =>
  `${prefix}-${createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 32)}`;

export const newContactId = (): string => `c-${randomUUID()}`;
