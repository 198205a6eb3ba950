import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryPeople } from '#people/memory-people.ts';
import { createMemorySessions } from '#people/memory-sessions.ts';
import type { User } from '#people/model.ts';
import { sessionHashOf } from '#people/sessions.ts';
import type { HttpEvent, HttpResult } from '#platform/http.ts';
import { startTestIdp, type TestIdp } from '../../../test/support/oidc-idp.ts';
import { createDashboardAuth } from './auth.ts';
import { SESSION_COOKIE, SSO_COOKIE } from './session.ts';

// The identity provider runs on a loopback port inside this process; the dashboard's side is
// called as the dashboard function calls it, with API Gateway's events and the cookies a
// browser would carry from one answer to the next.
const ORIGIN = 'https://tend.example.com';
const REDIRECT_URI = `${ORIGIN}/dashboard/sso-callback`;
const NOW = new Date('2026-03-02T09:00:00Z');

let idp: TestIdp;
beforeAll(async () => {
  idp = await startTestIdp({
    redirectUri: REDIRECT_URI,
    accounts: {
      ada: { email: 'ada@example.com', email_verified: true },
      grace: { email: 'grace@example.com', email_verified: true },
      invited: { email: 'ivy@example.com', email_verified: true },
      unverified: { email: 'ada@example.com', email_verified: false },
      anonymous: {},
    },
  });
});
afterAll(() => idp?.close());

function event(page: string, request: { cookies?: Record<string, string>; rawQueryString?: string } = {}): HttpEvent {
  const cookie = Object.entries(request.cookies ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
  return {
    routeKey: 'GET /dashboard/{page}',
    rawPath: `/dashboard/${page}`,
    rawQueryString: request.rawQueryString ?? '',
    pathParameters: { page },
    headers: { host: 'tend.example.com', ...(cookie ? { cookie } : {}) },
    isBase64Encoded: false,
    requestContext: { http: { method: 'GET', sourceIp: '203.0.113.7', userAgent: 'vitest' } },
  } as unknown as HttpEvent;
}

const setCookieOf = (res: HttpResult) => String(res.headers?.['set-cookie'] ?? '');
const cookieValue = (res: HttpResult, name: string) => new RegExp(`${name}=([^;]*)`).exec(setCookieOf(res))?.[1];
const user = (userId: string, email: string, status: User['status']): User => ({
  userId,
  email,
  name: email.split('@')[0] ?? email,
  role: 'marketer',
  status,
  createdAt: '2026-01-01T00:00:00.000Z',
  createdBy: 'admin token',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

async function setup(options: { sso?: boolean; issuer?: string } = {}) {
  const people = createMemoryPeople();
  const sessions = createMemorySessions();
  await people.createUser(user('a1b2c3d4e5f6', 'ada@example.com', 'active'));
  await people.createUser(user('b1b2c3d4e5f6', 'ivy@example.com', 'invited'));
  const auth = createDashboardAuth({
    people,
    sessions,
    clock: { now: () => NOW },
    adminToken: async () => 'admin-token-for-tests-0123456789',
    linkSecret: async () => 'link-secret-for-tests-0123456789',
    publicUrl: `${ORIGIN}/`,
    timeZone: 'UTC',
    ...(options.sso === false
      ? {}
      : {
          sso: {
            issuer: options.issuer ?? idp.issuer,
            clientId: idp.clientId,
            clientSecret: async () => idp.clientSecret,
            name: 'Okta',
          },
        }),
  });

  /** Starts at the dashboard, signs in at the provider as `account`, and comes back: the callback's answer. */
  async function signInAs(
    account: string,
    tamper?: (query: URLSearchParams) => void,
    cookies: Record<string, string> = {},
  ): Promise<HttpResult> {
    const started = await auth.ssoStart(event('sso'));
    expect(started.statusCode).toBe(303);
    const back = await idp.signIn(String(started.headers?.location), account);
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT_URI);
    tamper?.(back.searchParams);
    const pending = cookieValue(started, SSO_COOKIE) ?? '';
    return auth.ssoCallback(
      event('sso-callback', {
        cookies: { ...cookies, [SSO_COOKIE]: pending },
        rawQueryString: back.searchParams.toString(),
      }),
    );
  }
  return { people, sessions, auth, signInAs };
}

const alertOf = (res: HttpResult) => /role="alert">([^<]*)</.exec(res.body ?? '')?.[1]?.replaceAll('&#39;', "'");

describe('single sign-on on the dashboard', () => {
  it('offers the provider on the sign-in page, and sends the browser to it with a short-lived Lax cookie', async () => {
    const { auth } = await setup();
    const form = await auth.signInForm(event('sign-in'));
    expect(form.body).toContain('<a class="button" href="/dashboard/sso" data-sso>Sign in with Okta</a>');
    const started = await auth.ssoStart(event('sso'));
    expect(started.statusCode).toBe(303);
    const location = new URL(String(started.headers?.location));
    expect(location.origin).toBe(idp.issuer);
    expect(location.searchParams.get('redirect_uri')).toBe(REDIRECT_URI);
    expect(setCookieOf(started)).toMatch(
      /^tend_sso=[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}; Path=\/dashboard; HttpOnly; SameSite=Lax; Max-Age=600; Secure$/,
    );
    expect(cookieValue(started, SSO_COOKIE)?.split('.')[0]).toBe(location.searchParams.get('state'));
  });

  it('signs in the active user with the verified email into a new session, audited, by a page that moves on', async () => {
    const { auth, sessions, people, signInAs } = await setup();
    const res = await signInAs('ada');
    expect(res.statusCode).toBe(200);
    // Not a redirect: the Strict session cookie would not come along on the rest of the provider's navigation.
    expect(res.headers?.location).toBeUndefined();
    expect(res.body).toContain('<meta http-equiv="refresh" content="0; url=/dashboard">');
    expect(setCookieOf(res)).toMatch(
      /^tend_session=[A-Za-z0-9_-]{43}; Path=\/dashboard; HttpOnly; SameSite=Strict; Max-Age=28800; Secure$/,
    );
    const sessionId = cookieValue(res, SESSION_COOKIE) ?? '';
    expect(await sessions.getSession(sessionHashOf(sessionId))).toMatchObject({
      subject: { kind: 'user', userId: 'a1b2c3d4e5f6' },
      ip: '203.0.113.7',
    });
    const current = await auth.current(event('overview', { cookies: { [SESSION_COOKIE]: sessionId } }));
    expect(current?.caller).toMatchObject({ kind: 'user', email: 'ada@example.com', role: 'marketer' });
    expect((await people.getUser('a1b2c3d4e5f6'))?.lastSignInAt).toBe(NOW.toISOString());
    const { entries } = await people.listAudit({ limit: 10 });
    expect(entries).toEqual([
      expect.objectContaining({
        action: 'session.sign-in',
        target: 'user:a1b2c3d4e5f6',
        summary: 'signed in to the dashboard by single sign-on through Okta',
        actor: expect.objectContaining({ kind: 'user', email: 'ada@example.com', via: 'session' }),
        status: 200,
      }),
    ]);
  });

  it('ends the session the browser presented and never carries its id over', async () => {
    const { sessions, signInAs } = await setup();
    const first = cookieValue(await signInAs('ada'), SESSION_COOKIE) ?? '';
    expect(await sessions.getSession(sessionHashOf(first))).toBeDefined();
    const second = cookieValue(await signInAs('ada', undefined, { [SESSION_COOKIE]: first }), SESSION_COOKIE) ?? '';
    expect(second).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(second).not.toBe(first);
    expect(await sessions.getSession(sessionHashOf(first))).toBeUndefined();
    expect(sessions.size()).toBe(1);
  });

  it('refuses an email no Tend user has, and one whose user is only invited: nobody is created', async () => {
    const { sessions, people, signInAs } = await setup();
    const unknown = await signInAs('grace');
    expect(unknown.statusCode).toBe(403);
    expect(alertOf(unknown)).toBe('There is no Tend user for grace@example.com: ask an admin to invite you.');
    const invited = await signInAs('invited');
    expect(invited.statusCode).toBe(403);
    expect(alertOf(invited)).toContain('The Tend user for ivy@example.com is invited, not active');
    for (const res of [unknown, invited]) expect(setCookieOf(res)).toMatch(/^tend_sso=; .*Max-Age=0/);
    expect(sessions.size()).toBe(0);
    expect(await people.getUserByEmail('grace@example.com')).toBeUndefined();
    expect((await people.listAudit({ limit: 10 })).entries).toEqual([]);
  });

  it('refuses a tampered state, a callback without its cookie, and a callback replayed', async () => {
    const { auth, sessions, signInAs } = await setup();
    const tampered = await signInAs('ada', (query) => query.set('state', 'A'.repeat(43)));
    const started = await auth.ssoStart(event('sso'));
    const back = await idp.signIn(String(started.headers?.location), 'ada');
    const withoutCookie = await auth.ssoCallback(
      event('sso-callback', { rawQueryString: back.searchParams.toString() }),
    );
    const callback = event('sso-callback', {
      cookies: { [SSO_COOKIE]: cookieValue(started, SSO_COOKIE) ?? '' },
      rawQueryString: back.searchParams.toString(),
    });
    expect((await auth.ssoCallback(callback)).statusCode).toBe(200);
    const replayed = await auth.ssoCallback(callback);
    for (const res of [tampered, withoutCookie, replayed]) {
      expect(res.statusCode).toBe(403);
      expect(alertOf(res)).toMatch(/^This sign-in could not be verified/);
    }
    expect(sessions.size()).toBe(1);
  });

  it('refuses an email the provider has not verified, and a sign-in that tells no email', async () => {
    const { sessions, signInAs } = await setup();
    const unverified = await signInAs('unverified');
    expect(unverified.statusCode).toBe(403);
    expect(alertOf(unverified)).toContain('Okta has not verified ada@example.com');
    const anonymous = await signInAs('anonymous');
    expect(anonymous.statusCode).toBe(403);
    expect(alertOf(anonymous)).toContain('Okta did not tell which email you use');
    expect(sessions.size()).toBe(0);
  });

  it('tells the person who declined at the provider', async () => {
    const { signInAs } = await setup();
    const declined = await signInAs('deny');
    expect(declined.statusCode).toBe(403);
    expect(alertOf(declined)).toBe('Okta did not sign you in (access_denied: The person declined to sign in.).');
  });

  it('answers a page, not an error, when the provider does not answer', async () => {
    const down = await startTestIdp({ redirectUri: REDIRECT_URI, accounts: {} });
    await down.close();
    const { auth } = await setup({ issuer: down.issuer });
    const res = await auth.ssoStart(event('sso'));
    expect(res.statusCode).toBe(503);
    expect(alertOf(res)).toBe('Okta did not answer. Please try again in a minute, or sign in with your password.');
  });

  it('has no single sign-on when none is configured: no button, and its routes answer 404', async () => {
    const { auth } = await setup({ sso: false });
    const form = await auth.signInForm(event('sign-in'));
    expect(form.statusCode).toBe(200);
    expect(form.body).not.toContain('/dashboard/sso');
    expect(form.body).not.toContain('Sign in with Okta');
    expect((await auth.ssoStart(event('sso'))).statusCode).toBe(404);
    expect((await auth.ssoCallback(event('sso-callback', { rawQueryString: 'code=x&state=y' }))).statusCode).toBe(404);
  });
});
