import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestIdp, type TestIdp } from '../../test/support/oidc-idp.ts';
import { createMemoryPeople } from './memory-people.ts';
import type { User } from './model.ts';
import { activeUserFor, createOidcClient, type OidcSettings } from './oidc.ts';

// The provider runs on a loopback port inside this process: no network beyond it.
const REDIRECT_URI = 'https://tend.example.com/dashboard/sso-callback';
const ACCOUNTS = {
  ada: { email: 'Ada@Example.com', email_verified: true },
  unverified: { email: 'bob@example.com', email_verified: false },
  anonymous: {},
};

let idp: TestIdp;
let idTokenIdp: TestIdp;

beforeAll(async () => {
  idp = await startTestIdp({ redirectUri: REDIRECT_URI, accounts: ACCOUNTS });
  idTokenIdp = await startTestIdp({ redirectUri: REDIRECT_URI, accounts: ACCOUNTS, claimsInIdToken: true });
});
afterAll(async () => {
  await idp?.close();
  await idTokenIdp?.close();
});

const settingsOf = (provider: TestIdp, overrides: Partial<OidcSettings> = {}): OidcSettings => ({
  issuer: provider.issuer,
  clientId: provider.clientId,
  clientSecret: async () => provider.clientSecret,
  redirectUri: REDIRECT_URI,
  ...overrides,
});

/** A sign-in begun by Tend, completed at the provider as `account`: the callback's query and what the browser kept. */
async function signInAt(oidc: ReturnType<typeof createOidcClient>, provider: TestIdp, account: string) {
  const { url, pending } = await oidc.begin();
  const back = await provider.signIn(url, account);
  return { url, pending, query: back.searchParams, back };
}

describe('single sign-on through OpenID Connect', () => {
  it('sends the browser to the provider with PKCE (S256), a state, a nonce and the email scope', async () => {
    const { url, pending } = await createOidcClient(settingsOf(idp)).begin();
    expect(url.origin).toBe(idp.issuer);
    const params = url.searchParams;
    expect(params.get('response_type')).toBe('code');
    expect(params.get('client_id')).toBe(idp.clientId);
    expect(params.get('redirect_uri')).toBe(REDIRECT_URI);
    expect(params.get('scope')).toBe('openid email');
    expect(params.get('state')).toBe(pending.state);
    expect(params.get('nonce')).toBe(pending.nonce);
    expect(params.get('code_challenge_method')).toBe('S256');
    // Only the challenge leaves: the verifier stays with the browser's cookie.
    expect(params.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.href).not.toContain(pending.verifier);
  });

  it.each([
    ['from UserInfo', () => idp],
    ['from the ID token', () => idTokenIdp],
  ])('completes with the email the provider verified, lower-cased (%s)', async (_where, provider) => {
    const oidc = createOidcClient(settingsOf(provider()));
    const { back, query, pending } = await signInAt(oidc, provider(), 'ada');
    expect(back.href.startsWith(`${REDIRECT_URI}?`)).toBe(true);
    expect(await oidc.complete(query, pending)).toEqual({ ok: true, email: 'ada@example.com', subject: 'ada' });
  });

  it('refuses a tampered state, a wrong nonce, a wrong PKCE verifier, and a code used twice', async () => {
    const oidc = createOidcClient(settingsOf(idp));
    const tampered = await signInAt(oidc, idp, 'ada');
    tampered.query.set('state', `${tampered.pending.state.slice(0, -1)}A`);
    const wrongNonce = await signInAt(oidc, idp, 'ada');
    const wrongVerifier = await signInAt(oidc, idp, 'ada');
    const other = await oidc.begin();
    const outcomes = [
      await oidc.complete(tampered.query, tampered.pending),
      await oidc.complete(wrongNonce.query, { ...wrongNonce.pending, nonce: other.pending.nonce }),
      await oidc.complete(wrongVerifier.query, { ...wrongVerifier.pending, verifier: other.pending.verifier }),
    ];
    const twice = await signInAt(oidc, idp, 'ada');
    expect((await oidc.complete(twice.query, twice.pending)).ok).toBe(true);
    outcomes.push(await oidc.complete(twice.query, twice.pending));
    expect(outcomes).toEqual(Array(4).fill({ ok: false, reason: 'not-verified' }));
  });

  it('refuses an email the provider has not verified, and a sign-in that tells no email', async () => {
    for (const provider of [idp, idTokenIdp]) {
      const oidc = createOidcClient(settingsOf(provider));
      const unverified = await signInAt(oidc, provider, 'unverified');
      expect(await oidc.complete(unverified.query, unverified.pending)).toEqual({
        ok: false,
        reason: 'email-not-verified',
        email: 'bob@example.com',
      });
      const anonymous = await signInAt(oidc, provider, 'anonymous');
      expect(await oidc.complete(anonymous.query, anonymous.pending)).toEqual({ ok: false, reason: 'no-email' });
    }
  });

  it('tells when the person declined at the provider', async () => {
    const oidc = createOidcClient(settingsOf(idp));
    const declined = await signInAt(oidc, idp, 'deny');
    expect(await oidc.complete(declined.query, declined.pending)).toEqual({
      ok: false,
      reason: 'declined',
      error: 'access_denied',
      description: 'The person declined to sign in.',
    });
  });

  it('reads the client secret afresh after the provider refuses it (a secret set after the deploy)', async () => {
    let secret = 'the placeholder a new secret starts with';
    const forgetSecret = vi.fn();
    const oidc = createOidcClient(settingsOf(idp, { clientSecret: async () => secret, forgetSecret }));
    const first = await signInAt(oidc, idp, 'ada');
    expect(await oidc.complete(first.query, first.pending)).toEqual({ ok: false, reason: 'client-refused' });
    expect(forgetSecret).toHaveBeenCalledOnce();
    secret = idp.clientSecret;
    const second = await signInAt(oidc, idp, 'ada');
    expect(await oidc.complete(second.query, second.pending)).toMatchObject({ ok: true, email: 'ada@example.com' });
  });

  it('throws when the provider does not answer, and asks it again next time', async () => {
    const down = await startTestIdp({ redirectUri: REDIRECT_URI, accounts: ACCOUNTS });
    await down.close();
    const oidc = createOidcClient(settingsOf(down));
    await expect(oidc.begin()).rejects.toThrow();
    // The provider is back on its port: the failure was not remembered.
    const back = await startTestIdp({
      redirectUri: REDIRECT_URI,
      accounts: ACCOUNTS,
      port: Number(new URL(down.issuer).port),
    });
    try {
      const { url } = await oidc.begin();
      expect(url.origin).toBe(back.issuer);
    } finally {
      await back.close();
    }
  });
});

describe('the user a vouched-for email signs in', () => {
  const at = new Date('2026-03-02T09:00:00Z');
  const user = (overrides: Partial<User>): User => ({
    userId: 'a1b2c3d4e5f6',
    email: 'ada@example.com',
    name: 'Ada',
    role: 'marketer',
    status: 'active',
    createdAt: '2026-01-01T00:00:00.000Z',
    createdBy: 'admin token',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  });

  it('is the active user with that email, with the sign-in noted', async () => {
    const people = createMemoryPeople();
    await people.createUser(user({}));
    const found = await activeUserFor(people, 'ada@example.com', at);
    expect(found).toMatchObject({ found: 'active', user: { userId: 'a1b2c3d4e5f6', lastSignInAt: at.toISOString() } });
    expect((await people.getUser('a1b2c3d4e5f6'))?.lastSignInAt).toBe(at.toISOString());
  });

  it('is no one for an unknown email or a user who is only invited', async () => {
    const people = createMemoryPeople();
    await people.createUser(user({ status: 'invited' }));
    expect(await activeUserFor(people, 'grace@example.com', at)).toEqual({ found: 'none' });
    expect(await activeUserFor(people, 'ada@example.com', at)).toEqual({ found: 'not-active', status: 'invited' });
    expect((await people.getUser('a1b2c3d4e5f6'))?.lastSignInAt).toBeUndefined();
  });
});
