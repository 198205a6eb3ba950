import { describe, expect, it } from 'vitest';
import { createMemoryPeople } from '#people/memory-people.ts';
import { createMemorySessions } from '#people/memory-sessions.ts';
import { hashPassword } from '#people/passwords.ts';
import { sessionHashOf } from '#people/sessions.ts';
import { MAX_FAILURES } from '#people/sign-in.ts';
import { sha256 } from '#people/tokens.ts';
import type { HttpEvent } from '#platform/http.ts';
import { createDashboardAuth } from './auth.ts';
import { CSRF_FIELD, csrfToken } from './csrf.ts';
import { FORM_COOKIE, SESSION_COOKIE } from './session.ts';

const ORIGIN = 'https://tend.example.com';
const SECRET = 'link-secret-for-tests-0123456789';
const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';
const PASSWORD = 'a sturdy password 42';
const NONCE = 'N'.repeat(43);

interface Request {
  body?: Record<string, string>;
  cookies?: Record<string, string>;
  /** Merged over the defaults; undefined removes one. */
  headers?: Record<string, string | undefined>;
  query?: Record<string, string>;
}

function event(routeKey: string, request: Request = {}): HttpEvent {
  const cookie = Object.entries(request.cookies ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
  return {
    routeKey,
    headers: { host: 'tend.example.com', origin: ORIGIN, ...(cookie ? { cookie } : {}), ...request.headers },
    body: request.body ? new URLSearchParams(request.body).toString() : undefined,
    isBase64Encoded: false,
    queryStringParameters: request.query,
    requestContext: { http: { sourceIp: '203.0.113.7', userAgent: 'vitest' } },
  } as unknown as HttpEvent;
}

const formCsrf = csrfToken(SECRET, { nonce: NONCE });
const setCookieOf = (headers: unknown) => String((headers as Record<string, string>)['set-cookie'] ?? '');
const sessionIdOf = (headers: unknown) => /tend_session=([^;]*)/.exec(setCookieOf(headers))?.[1] ?? '';

async function setup(now = new Date('2026-03-02T09:00:00Z')) {
  const people = createMemoryPeople();
  const sessions = createMemorySessions();
  await people.createUser({
    userId: 'a1b2c3d4e5f6',
    email: 'ada@example.com',
    name: 'Ada',
    role: 'marketer',
    status: 'active',
    passwordHash: await hashPassword(PASSWORD),
    createdAt: now.toISOString(),
    createdBy: 'admin token',
    updatedAt: now.toISOString(),
  });
  const auth = createDashboardAuth({
    people,
    sessions,
    clock: { now: () => now },
    adminToken: async () => ADMIN_TOKEN,
    linkSecret: async () => SECRET,
    publicUrl: `${ORIGIN}/`,
    timeZone: 'UTC',
  });
  const signIn = (body: Record<string, string>, request: Request = {}) =>
    auth.signIn(
      event('POST /dashboard/sign-in', {
        body: { [CSRF_FIELD]: formCsrf, ...body },
        ...request,
        cookies: { [FORM_COOKIE]: NONCE, ...request.cookies },
      }),
    );
  return { people, sessions, auth, signIn };
}

describe('dashboard sign-in', () => {
  it('signs in by email and password into a new server-side session, audited, with a Secure cookie', async () => {
    const { auth, signIn, sessions, people } = await setup();
    const res = await signIn({ email: 'ada@example.com', password: PASSWORD });
    expect(res.statusCode).toBe(303);
    expect(res.headers?.location).toBe('/dashboard');
    expect(setCookieOf(res.headers)).toMatch(
      /^tend_session=[A-Za-z0-9_-]{43}; Path=\/dashboard; HttpOnly; SameSite=Strict; Max-Age=28800; Secure$/,
    );
    const id = sessionIdOf(res.headers);
    expect(await sessions.getSession(sessionHashOf(id))).toMatchObject({
      subject: { kind: 'user', userId: 'a1b2c3d4e5f6' },
    });
    const current = await auth.current(event('GET /dashboard', { cookies: { [SESSION_COOKIE]: id } }));
    expect(current?.caller).toMatchObject({ kind: 'user', email: 'ada@example.com', role: 'marketer' });
    const { entries } = await people.listAudit({ limit: 10 });
    expect(entries).toEqual([
      expect.objectContaining({
        action: 'session.sign-in',
        target: 'user:a1b2c3d4e5f6',
        actor: expect.objectContaining({ kind: 'user', email: 'ada@example.com', via: 'session' }),
        ip: '203.0.113.7',
        userAgent: 'vitest',
      }),
    ]);
  });

  it('signs in with the admin token into an audited admin session', async () => {
    const { auth, signIn, people } = await setup();
    const res = await signIn({ token: ADMIN_TOKEN });
    expect(res.statusCode).toBe(303);
    const current = await auth.current(
      event('GET /dashboard', { cookies: { [SESSION_COOKIE]: sessionIdOf(res.headers) } }),
    );
    expect(current?.caller).toEqual({ kind: 'admin-token', role: 'admin' });
    const { entries } = await people.listAudit({ limit: 10 });
    expect(entries[0]).toMatchObject({
      action: 'session.sign-in',
      target: 'admin-token',
      actor: { kind: 'admin-token' },
    });
    const wrong = await signIn({ token: `${ADMIN_TOKEN}x` });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('not the admin token');
  });

  it('never carries over a session id the browser presented (no fixation), and ends that session', async () => {
    const { signIn, sessions } = await setup();
    const first = sessionIdOf((await signIn({ email: 'ada@example.com', password: PASSWORD })).headers);
    const planted = 'P'.repeat(43);
    for (const presented of [first, planted]) {
      const res = await signIn(
        { email: 'ada@example.com', password: PASSWORD },
        { cookies: { [SESSION_COOKIE]: presented } },
      );
      const issued = sessionIdOf(res.headers);
      expect(issued).not.toBe(presented);
      expect(await sessions.getSession(sessionHashOf(presented))).toBeUndefined();
      expect(await sessions.getSession(sessionHashOf(issued))).toBeDefined();
    }
  });

  it('answers one refusal for a wrong password and an unknown email, then the lock’s end', async () => {
    const { signIn } = await setup();
    const wrong = await signIn({ email: 'ada@example.com', password: 'not it at all' });
    const unknown = await signIn({ email: 'nobody@example.com', password: PASSWORD });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    const message = (body?: string) => /role="alert">([^<]*)</.exec(body ?? '')?.[1];
    expect(message(wrong.body)).toBe(message(unknown.body));
    expect(setCookieOf(wrong.headers)).not.toContain(SESSION_COOKIE);
    let last = wrong;
    for (let i = 1; i < MAX_FAILURES; i++) last = await signIn({ email: 'ada@example.com', password: 'still wrong' });
    expect(message(last.body)).toBe('Too many attempts: try again after 09:15 UTC.');
  });
});

describe('CSRF protection', () => {
  const good = { email: 'ada@example.com', password: PASSWORD };

  it('refuses a sign-in without the token, with another nonce’s token, or without the form cookie', async () => {
    const { signIn, auth, sessions } = await setup();
    const refusals = [
      await signIn({ ...good, [CSRF_FIELD]: '' }),
      await signIn({ ...good, [CSRF_FIELD]: csrfToken(SECRET, { nonce: 'M'.repeat(43) }) }),
      await signIn({ ...good, [CSRF_FIELD]: csrfToken('another-secret-0123456789', { nonce: NONCE }) }),
      await auth.signIn(event('POST /dashboard/sign-in', { body: { ...good, [CSRF_FIELD]: formCsrf } })),
    ];
    for (const res of refusals) {
      expect(res.statusCode).toBe(403);
      expect(res.body).toContain('did not come from this dashboard');
      expect(setCookieOf(res.headers)).not.toContain(SESSION_COOKIE);
    }
    expect(sessions.size()).toBe(0);
  });

  it('refuses a post from another origin, from an opaque origin or sent cross-site, token or not', async () => {
    const { signIn, sessions } = await setup();
    for (const headers of [
      { origin: 'https://evil.example.net' },
      { origin: 'null' },
      { origin: 'http://tend.example.com' },
      { origin: undefined, referer: 'https://evil.example.net/form' },
      { 'sec-fetch-site': 'cross-site' },
    ]) {
      expect((await signIn(good, { headers })).statusCode).toBe(403);
    }
    expect(sessions.size()).toBe(0);
    // The same form from the dashboard's own page is taken, as is one from a client that names no origin.
    expect((await signIn(good, { headers: { 'sec-fetch-site': 'same-origin' } })).statusCode).toBe(303);
    expect(
      (await signIn(good, { headers: { origin: undefined, referer: `${ORIGIN}/dashboard/sign-in` } })).statusCode,
    ).toBe(303);
    expect((await signIn(good, { headers: { origin: undefined } })).statusCode).toBe(303);
  });

  it('gives a refused form a fresh form cookie when it had none, so the next try works', async () => {
    const { auth } = await setup();
    const res = await auth.signIn(event('POST /dashboard/sign-in', { body: good }));
    expect(setCookieOf(res.headers)).toMatch(
      /^tend_form=[A-Za-z0-9_-]{43}; Path=\/dashboard; HttpOnly; SameSite=Strict/,
    );
  });

  it('signs out only with the session’s own token, and the session ends', async () => {
    const { signIn, auth, sessions } = await setup();
    const id = sessionIdOf((await signIn(good)).headers);
    const signOut = (token: string) =>
      auth.signOut(
        event('POST /dashboard/sign-out', { cookies: { [SESSION_COOKIE]: id }, body: { [CSRF_FIELD]: token } }),
      );
    const forged = await signOut(formCsrf);
    expect(forged.statusCode).toBe(403);
    expect(await sessions.getSession(sessionHashOf(id))).toBeDefined();
    const res = await signOut(csrfToken(SECRET, { session: id }));
    expect(res.statusCode).toBe(303);
    expect(res.headers?.location).toBe('/dashboard/sign-in?signed=out');
    expect(setCookieOf(res.headers)).toContain('tend_session=; ');
    expect(await sessions.getSession(sessionHashOf(id))).toBeUndefined();
  });
});

describe('invitations', () => {
  const secret = 'S'.repeat(43);
  const token = `0123456789ab.${secret}`;

  async function invited() {
    const ctx = await setup();
    await ctx.people.createUser({
      userId: '0123456789ab',
      email: 'grace@example.com',
      name: 'Grace',
      role: 'analyst',
      status: 'invited',
      invitationHash: sha256(secret),
      invitationExpiresAt: '2026-03-05T09:00:00.000Z',
      createdAt: '2026-03-02T08:00:00.000Z',
      createdBy: 'admin token',
      updatedAt: '2026-03-02T08:00:00.000Z',
    });
    const accept = (body: Record<string, string>, cookies: Record<string, string> = { [FORM_COOKIE]: NONCE }) =>
      ctx.auth.acceptInvitation(
        event('POST /dashboard/invitation', { cookies, body: { [CSRF_FIELD]: formCsrf, token, ...body } }),
      );
    return { ...ctx, accept };
  }

  it('shows the form for a valid link and 410 for another', async () => {
    const { auth } = await invited();
    const form = await auth.invitationForm(event('GET /dashboard/{page}', { query: { token } }));
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('grace@example.com');
    const dead = await auth.invitationForm(
      event('GET /dashboard/{page}', { query: { token: `0123456789ab.${'T'.repeat(43)}` } }),
    );
    expect(dead.statusCode).toBe(410);
    expect(dead.body).toContain('not valid');
  });

  it('sets the password and signs in once; the link is then dead', async () => {
    const { accept, auth } = await invited();
    expect((await accept({ password: PASSWORD, confirm: 'something else' })).statusCode).toBe(422);
    expect((await accept({ password: 'short', confirm: 'short' })).statusCode).toBe(422);
    expect((await accept({ password: PASSWORD, confirm: PASSWORD }, {})).statusCode).toBe(403);
    const res = await accept({ password: PASSWORD, confirm: PASSWORD });
    expect(res.statusCode).toBe(303);
    const current = await auth.current(
      event('GET /dashboard', { cookies: { [SESSION_COOKIE]: sessionIdOf(res.headers) } }),
    );
    expect(current?.caller).toMatchObject({ kind: 'user', email: 'grace@example.com', role: 'analyst' });
    expect((await accept({ password: 'another fine password', confirm: 'another fine password' })).statusCode).toBe(
      410,
    );
  });
});
