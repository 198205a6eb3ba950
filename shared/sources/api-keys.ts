import * as z from 'zod';
import type { Clock } from '#core/clock.ts';
import { parseOrRefuse } from '#core/parse.ts';
import type { RegistryStore } from '#platform/store.ts';
import { API_SCOPES, type ApiScope, newApiKey, parseApiKey, secretMatches } from './api-key.ts';
import { SourceError } from './errors.ts';
import type { ApiKey } from './model.ts';

export interface ApiKeyDeps {
  store: RegistryStore;
  clock: Clock;
}

export const createKeySchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    scopes: z.array(z.enum(API_SCOPES)).min(1).default(['events:write']),
  })
  .strict();

/** What the API shows of a key: never the hash. */
export const keySummary = ({ hash: _hash, ...rest }: ApiKey) => rest;

/** Creates a key; the token is in this response and nowhere else, ever. */
export async function createApiKey(deps: ApiKeyDeps, body: unknown, createdBy: string) {
  const input = parseOrRefuse(createKeySchema, body, 'the API key');
  const fresh = newApiKey();
  const key: ApiKey = {
    keyId: fresh.keyId,
    name: input.name,
    scopes: input.scopes,
    hash: fresh.hash,
    createdAt: deps.clock.now().toISOString(),
    createdBy,
  };
  await deps.store.createApiKey(key);
  return { key: keySummary(key), token: fresh.token };
}

/** The shape `newApiKey` gives every key id: 12 hex digits. */
const KEY_ID = /^[0-9a-f]{12}$/;

/**
 * Revokes a key; `unknown_key` for an id that names none. An id without the key shape is not
 * found before the store is asked (DynamoDB refuses an empty or over-long key with a validation
 * error, an internal error).
 */
export async function revokeApiKey(deps: ApiKeyDeps, keyId: string) {
  const unknown = () => new SourceError('unknown_key', `no API key "${String(keyId).slice(0, 100)}"`);
  if (typeof keyId !== 'string' || !KEY_ID.test(keyId)) throw unknown();
  const key = await deps.store.getApiKey(keyId);
  if (!key) throw unknown();
  await deps.store.revokeApiKey(keyId, deps.clock.now().toISOString());
  return keySummary((await deps.store.getApiKey(keyId)) as ApiKey);
}

/** lastUsedAt is refreshed at most this often, so a busy key does not cost a write per call. */
const TOUCH_EVERY_MS = 60 * 60_000;

/**
 * Authenticates `Authorization: Bearer tend_<keyId>_<secret>` for a scope: `unauthorized` for a
 * missing, malformed, unknown, revoked or wrong key (one message, so probing learns nothing),
 * `forbidden` when the key lacks the scope.
 */
export async function authenticateKey(deps: ApiKeyDeps, authorization: string | undefined, scope: ApiScope) {
  const token = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1] ?? '';
  const parts = parseApiKey(token);
  const key = parts ? await deps.store.getApiKey(parts.keyId) : undefined;
  if (!parts || !key || key.revokedAt || !secretMatches(parts.secret, key.hash)) {
    throw new SourceError('unauthorized', 'a valid "Authorization: Bearer tend_..." API key is required');
  }
  if (!key.scopes.includes(scope)) {
    throw new SourceError('forbidden', `this API key lacks the "${scope}" scope`);
  }
  const now = deps.clock.now();
  if (!key.lastUsedAt || now.getTime() - Date.parse(key.lastUsedAt) > TOUCH_EVERY_MS) {
    await deps.store.touchApiKey(key.keyId, now.toISOString());
  }
  return keySummary(key);
}
