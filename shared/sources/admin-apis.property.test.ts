import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveContact } from '#contacts/identity.ts';
import { dismissConflict, listConflicts } from '#contacts/identity-conflicts.ts';
import { EVENT_NAMES } from '#core/contact.ts';
import { createMemoryOutboundStore } from '#messaging/memory-outbound.ts';
import { createOutboundWebhooks } from '#messaging/outbound-webhooks.ts';
import { createMemoryStore } from '#platform/memory-store.ts';
import { expectClientError, mutate, mutationArb, outcome } from '../../test/support/properties.ts';
import { API_SCOPES, parseApiKey } from './api-key.ts';
import { authenticateKey, createApiKey, revokeApiKey } from './api-keys.ts';
import { clock, hex, NOW, secretBox } from './garbage.fixture.ts';

// CI runs one fixed seed so a red run reproduces; elsewhere every run explores new inputs.
if (process.env.CI) fc.configureGlobal({ seed: 20_261_123 });

/**
 * Property-based tests of the admin APIs' inputs: outbound endpoint creation, API key creation
 * and revocation, authentication, and dismissing identity conflicts. Garbage is refused with a
 * coded error the HTTP wrapper answers in 400..499 (or accepted when it happens to be valid),
 * nothing else is thrown, and a refusal stores nothing.
 */

const RUNS = 200;

/** Strings that tend to break URL, id and name handling. */
const oddString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', ' ', '\t', '\u0000', '__proto__', 'constructor', 'x'.repeat(3_000), 'é'.repeat(600)),
);

// ---- Outbound endpoints -------------------------------------------------------------------------

const validEndpoint = { url: 'https://crm.example.com/hooks', events: ['order.placed'], description: 'CRM' };

const urlArb = fc.oneof(
  oddString,
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.webUrl().map((u) => u.replace(/^https?:/, 'http:')),
  fc.constantFrom(
    'https://127.0.0.1/hook',
    'https://[::1]/hook',
    'https://[::ffff:10.0.0.1]/hook',
    'https://10.1.2.3/hook',
    'https://169.254.169.254/latest/meta-data',
    'https://localhost./hook',
    'https://user:pw@crm.example.com/hook',
    'javascript:alert(1)',
    'ftp://crm.example.com/hook',
    'https://',
    ' https://crm.example.com/hook ',
    `https://crm.example.com/${'a'.repeat(2_100)}`,
    'https://xn--nxasmq6b.example/hook',
  ),
);

const eventsArb = fc.oneof(
  fc.anything(),
  fc.array(fc.oneof(fc.constantFrom(...EVENT_NAMES, '*'), fc.string()), { maxLength: 6 }),
  fc.subarray([...EVENT_NAMES], { minLength: 1 }),
);

const endpointBodyArb = fc.oneof(
  fc.anything(),
  // Near the edge of valid: real https URLs, real events, descriptions around the 500 limit.
  fc.record(
    {
      url: fc.webUrl({ validSchemes: ['https'], withQueryParameters: true }),
      events: fc.subarray([...EVENT_NAMES], { minLength: 1 }),
      description: fc.string({ maxLength: 520 }),
    },
    { requiredKeys: ['url', 'events'] },
  ),
  fc.array(mutationArb, { minLength: 1, maxLength: 4 }).map((ms) => mutate(validEndpoint, ms)),
  fc.record(
    { url: urlArb, events: eventsArb, description: fc.oneof(oddString, fc.anything()) },
    { requiredKeys: ['url', 'events'] },
  ),
);

describe('createEndpoint with garbage', () => {
  for (const allowInsecure of [false, true]) {
    it(`resolves or refuses as unprocessable and stores nothing (allowInsecure: ${allowInsecure})`, async () => {
      await fc.assert(
        fc.asyncProperty(endpointBodyArb, async (body) => {
          const store = createMemoryOutboundStore();
          const outbound = createOutboundWebhooks({ store, secretBox, clock, allowInsecure });
          const result = await outcome(() => outbound.createEndpoint(body, 'admin'));
          const stored = await store.listEndpoints();
          if (result.ok) {
            const { endpoint, secret } = result.value;
            expect(stored.map((e) => e.endpointId)).toEqual([endpoint.endpointId]);
            expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
            const url = new URL(endpoint.url);
            expect(allowInsecure ? ['https:', 'http:'] : ['https:']).toContain(url.protocol);
            expect(url.username + url.password).toBe('');
            expect(endpoint.events.length).toBeGreaterThan(0);
          } else {
            expectClientError(result.error, ['unprocessable']);
            expect(stored).toEqual([]);
          }
        }),
        { numRuns: RUNS },
      );
    });
  }
});

// ---- API keys -----------------------------------------------------------------------------------

const keyBodyArb = fc.oneof(
  fc.anything(),
  // Near the edge of valid: names around the 100 limit, real scopes (or none: the default).
  fc.record({ name: fc.string({ maxLength: 110 }), scopes: fc.subarray([...API_SCOPES]) }, { requiredKeys: ['name'] }),
  fc
    .array(mutationArb, { minLength: 1, maxLength: 3 })
    .map((ms) => mutate({ name: 'website', scopes: ['events:write'] }, ms)),
  fc.record(
    {
      name: fc.oneof(oddString, fc.anything()),
      scopes: fc.oneof(
        fc.anything(),
        fc.array(fc.oneof(fc.constantFrom(...API_SCOPES), fc.string()), { maxLength: 4 }),
      ),
    },
    { requiredKeys: [] },
  ),
);

describe('API keys with garbage', () => {
  it('createApiKey resolves with a working key or refuses as unprocessable, storing nothing', async () => {
    await fc.assert(
      fc.asyncProperty(keyBodyArb, async (body) => {
        const memory = createMemoryStore();
        const deps = { store: memory.store, clock };
        const result = await outcome(() => createApiKey(deps, body, 'admin'));
        const stored = await memory.store.listApiKeys();
        if (result.ok) {
          const { key, token } = result.value;
          expect(stored.map((k) => k.keyId)).toEqual([key.keyId]);
          expect(parseApiKey(token)?.keyId).toBe(key.keyId);
          expect(key.name.trim()).toBe(key.name);
          expect(key.name.length).toBeGreaterThan(0);
          for (const scope of key.scopes) expect(API_SCOPES).toContain(scope);
          const [scope] = key.scopes;
          if (scope) expect((await authenticateKey(deps, `Bearer ${token}`, scope)).keyId).toBe(key.keyId);
        } else {
          expectClientError(result.error, ['unprocessable']);
          expect(stored).toEqual([]);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('revokeApiKey refuses any id but the real one as not found and leaves the key alone', async () => {
    const memory = createMemoryStore();
    const deps = { store: memory.store, clock };
    const { key } = await createApiKey(deps, { name: 'real' }, 'admin');
    const before = await memory.store.listApiKeys();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          oddString,
          fc.stringMatching(/^[0-9a-f]{12}$/),
          fc.constantFrom(key.keyId.toUpperCase(), ` ${key.keyId}`, `${key.keyId}0`, key.keyId.slice(1)),
        ),
        async (keyId) => {
          fc.pre(keyId !== key.keyId);
          const result = await outcome(() => revokeApiKey(deps, keyId));
          expect(result.ok).toBe(false);
          if (!result.ok) expectClientError(result.error, ['not-found']);
        },
      ),
      { numRuns: RUNS },
    );
    expect(await memory.store.listApiKeys()).toEqual(before);
  });

  it('authenticateKey finds arbitrary Authorization headers unauthorized and creates no key', async () => {
    const memory = createMemoryStore();
    const deps = { store: memory.store, clock };
    const { token } = await createApiKey(deps, { name: 'real', scopes: ['events:write'] }, 'admin');
    const keyId = token.split('_')[1] as string;
    const before = JSON.stringify(await memory.store.listApiKeys());
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('');
    const secretArb = fc.array(fc.constantFrom(...alphabet), { minLength: 43, maxLength: 43 }).map((a) => a.join(''));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constant(undefined),
          fc.string(),
          fc.string().map((s) => `Bearer ${s}`),
          fc.tuple(hex(6), secretArb).map(([id, s]) => `Bearer tend_${id}_${s}`),
          secretArb.map((s) => `bearer   tend_${keyId}_${s}`),
          fc.constantFrom(
            token,
            `Bearer ${token}x`,
            `Bearer ${token} `,
            `Basic ${token}`,
            `Bearer  ${token}\n`,
            token.toUpperCase(),
          ),
        ),
        fc.constantFrom('events:write' as const, 'contacts:import' as const),
        async (authorization, scope) => {
          fc.pre(authorization !== `Bearer ${token}`);
          const result = await outcome(() => authenticateKey(deps, authorization, scope));
          expect(result.ok).toBe(false);
          if (!result.ok) expectClientError(result.error, ['unauthorized']);
        },
      ),
      { numRuns: 200 },
    );
    expect(JSON.stringify(await memory.store.listApiKeys())).toBe(before);
  });
});

// ---- Identity conflicts -------------------------------------------------------------------------

/** A store holding one real conflict: an event tied an email to one contact and a userId to another. */
async function storeWithConflict() {
  const memory = createMemoryStore();
  const deps = { store: memory.store, clock };
  const at = NOW.toISOString();
  await resolveContact(deps, { identifiers: { email: 'ada@example.com' }, cause: 'c-1', at });
  await resolveContact(deps, { identifiers: { userId: 'u-7', email: 'grace@example.com' }, cause: 'c-2', at });
  const tied = await resolveContact(deps, {
    identifiers: { userId: 'u-7', email: 'ada@example.com' },
    cause: 'c-3',
    at,
  });
  const [conflict] = tied.conflicts;
  if (!conflict) throw new Error('expected the event to record a conflict');
  return { memory, conflictId: conflict.conflictId };
}

describe('dismissConflict with garbage ids', () => {
  it('refuses every id but the real one as not found and changes no conflict', async () => {
    const { memory, conflictId } = await storeWithConflict();
    const before = await listConflicts({ store: memory.store });
    expect(before.map((c) => [c.conflictId, c.status])).toEqual([[conflictId, 'open']]);
    const oneCharChanged = fc
      .tuple(fc.nat({ max: conflictId.length - 1 }), fc.constantFrom('A', 'z', '0', '-', '_', '/', '%'))
      .map(([at, c]) => `${conflictId.slice(0, at)}${c}${conflictId.slice(at + 1)}`);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          oddString,
          fc.anything(),
          fc.stringMatching(/^x-[A-Za-z0-9_-]{32}$/),
          oneCharChanged,
          fc.constantFrom(
            conflictId.toUpperCase(),
            ` ${conflictId}`,
            `${conflictId}\n`,
            encodeURIComponent(`${conflictId}/`),
          ),
        ),
        async (id) => {
          fc.pre(id !== conflictId);
          const result = await outcome(() => dismissConflict({ store: memory.store }, id));
          expect(result.ok).toBe(false);
          if (!result.ok) expectClientError(result.error, ['not-found']);
        },
      ),
      { numRuns: RUNS },
    );
    expect(await listConflicts({ store: memory.store })).toEqual(before);
  });

  it('dismisses the real conflict by its id', async () => {
    const { memory, conflictId } = await storeWithConflict();

    expect(await dismissConflict({ store: memory.store }, conflictId)).toEqual({ conflictId, status: 'dismissed' });
    expect((await listConflicts({ store: memory.store }))[0]?.status).toBe('dismissed');
  });
});
