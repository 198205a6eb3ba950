import { mkdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardAuth, type DashboardAuth } from '#dashboard/server/auth.ts';
import { DASHBOARD_CSS } from '#dashboard/server/styles.ts';
import { toApiGatewayEvent } from '#infra/local/gateway.ts';
import { createMemoryPeople } from '#people/memory-people.ts';
import { createMemorySessions } from '#people/memory-sessions.ts';
import type { HttpResult } from '#platform/http.ts';
import { launchChromium } from '../support/browser.ts';
import { startTestIdp, type TestIdp } from '../support/oidc-idp.ts';

/**
 * Single sign-on in headless Chromium, across two sites as in production: the dashboard's
 * sign-in routes on `localhost` and the identity provider (oidc-provider) on `127.0.0.1`, each on
 * a loopback port of its own. What only a browser shows: the pending sign-in's SameSite=Lax
 * cookie comes back from the provider's site, and the SameSite=Strict session cookie set on that
 * cross-site arrival is sent once the callback's page moves on to the dashboard by itself.
 * Screenshots of the sign-in page and a refusal go to test-artifacts/.
 */

const ARTIFACTS = 'test-artifacts';
let browser: Browser;
let idp: TestIdp;
let dashboard: http.Server;
let origin: string;

/** The dashboard's sign-in routes over the real auth module (memory stores), and a page naming who is signed in. */
async function answer(auth: DashboardAuth, req: http.IncomingMessage): Promise<HttpResult> {
  const url = new URL(req.url ?? '/', origin);
  const name = url.pathname.replace(/^\/dashboard\/?/, '') || 'overview';
  const event = toApiGatewayEvent(req, url, Buffer.alloc(0), 'GET /dashboard/{page}', { page: name });
  switch (name) {
    case 'app.css':
      return { statusCode: 200, headers: { 'content-type': 'text/css' }, body: DASHBOARD_CSS };
    case 'sign-in':
      return auth.signInForm(event);
    case 'sso':
      return auth.ssoStart(event);
    case 'sso-callback':
      return auth.ssoCallback(event);
    default: {
      const current = await auth.current(event);
      if (!current) return { statusCode: 303, headers: { location: '/dashboard/sign-in' } };
      const who = current.caller.kind === 'user' ? current.caller.email : 'admin token';
      return { statusCode: 200, headers: { 'content-type': 'text/html' }, body: `<p id="who">${who}</p>` };
    }
  }
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  dashboard = http.createServer();
  await new Promise<void>((resolve) => dashboard.listen(0, '127.0.0.1', resolve));
  origin = `http://localhost:${(dashboard.address() as AddressInfo).port}`;
  idp = await startTestIdp({
    redirectUri: `${origin}/dashboard/sso-callback`,
    accounts: {
      ada: { email: 'ada@example.com', email_verified: true },
      grace: { email: 'grace@example.com', email_verified: true },
    },
    claimsInIdToken: true,
  });
  const people = createMemoryPeople();
  const now = new Date().toISOString();
  await people.createUser({
    userId: 'a1b2c3d4e5f6',
    email: 'ada@example.com',
    name: 'Ada',
    role: 'marketer',
    status: 'active',
    createdAt: now,
    createdBy: 'admin token',
    updatedAt: now,
  });
  const auth = createDashboardAuth({
    people,
    sessions: createMemorySessions(),
    clock: { now: () => new Date() },
    adminToken: async () => 'admin-token-for-tests-0123456789',
    linkSecret: async () => 'link-secret-for-tests-0123456789',
    publicUrl: origin,
    timeZone: 'UTC',
    sso: { issuer: idp.issuer, clientId: idp.clientId, clientSecret: async () => idp.clientSecret, name: 'Test IdP' },
  });
  dashboard.on('request', (req, res) => {
    answer(auth, req)
      .then((result) =>
        res.writeHead(result.statusCode ?? 200, result.headers as http.OutgoingHttpHeaders).end(result.body),
      )
      .catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await idp?.close();
  dashboard?.closeAllConnections();
  await new Promise((resolve) => dashboard?.close(resolve));
});

/** From the sign-in page, through the provider's login as `account`, to wherever the browser settles. */
async function signInThroughProvider(account: string) {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${origin}/dashboard/sign-in`);
  await page.screenshot({ path: `${ARTIFACTS}/dashboard-sign-in-sso.png` });
  await Promise.all([page.waitForURL(`${idp.issuer}/interaction/**`), page.click('a[data-sso]')]);
  await page.fill('#login', account);
  await Promise.all([page.waitForURL(`${origin}/dashboard/**`), page.click('button[type=submit]')]);
  return page;
}

describe('single sign-on in a browser', () => {
  it('signs in through the provider on another site and lands on the dashboard with a session', async () => {
    const page = await signInThroughProvider('ada');
    // Where it settles: the dashboard with the session, or (had the cookie not come along) the sign-in page.
    await page.waitForURL((url) => url.pathname === '/dashboard' || url.pathname === '/dashboard/sign-in');
    expect(new URL(page.url()).pathname).toBe('/dashboard');
    await expect(page.textContent('#who')).resolves.toBe('ada@example.com');
    const cookies = await page.context().cookies(`${origin}/dashboard`);
    expect(cookies.find((c) => c.name === 'tend_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
  });

  it('shows a person the provider knows but Tend does not why they are not signed in', async () => {
    const page = await signInThroughProvider('grace');
    expect(new URL(page.url()).pathname).toBe('/dashboard/sso-callback');
    await expect(page.textContent('[role=alert]')).resolves.toBe(
      'There is no Tend user for grace@example.com: ask an admin to invite you.',
    );
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-sso-no-user.png` });
    expect((await page.context().cookies(`${origin}/dashboard`)).map((c) => c.name)).not.toContain('tend_session');
  });
});
