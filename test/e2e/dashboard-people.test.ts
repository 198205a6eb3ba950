import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, signIn } from '../support/browser.ts';
import { adminCall, stack, uniqueEmail } from '../support/local.ts';

/**
 * People on the dashboard, in headless Chromium against the local stack: an analyst invited
 * through the users API sets a password from the link, signs in by email and password, sees
 * every page but the audit log, signs out; sessions end when revoked; an email locks after five
 * failures; forms from elsewhere are refused; an admin reads the audit log. Screenshots of the
 * sign-in, invitation and audit pages go to test-artifacts/.
 */

const ARTIFACTS = 'test-artifacts';
const VIEWPORTS = { laptop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } } as const;
const PASSWORD = 'correct horse battery staple';

let browser: Browser;
const analyst = { email: uniqueEmail('analyst'), userId: '', invitation: '' };

/** A page in a context of its own: its own cookies, as another browser would have. */
async function freshPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: VIEWPORTS.laptop });
  return context.newPage();
}

/** The status of a dashboard data route read from inside the page, with its session. */
const dataStatus = (page: Page, name: string) =>
  page.evaluate(async (path) => (await fetch(path, { credentials: 'same-origin' })).status, `/dashboard/data/${name}`);

const sessionOf = async (page: Page) =>
  (await page.context().cookies()).find((c) => c.name === 'tend_session')?.value ?? '';

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const created = await adminCall('POST', '/api/users', { email: analyst.email, name: 'Ada Analyst', role: 'analyst' });
  expect(created.status).toBe(201);
  analyst.userId = created.json.user.userId;
  analyst.invitation = created.json.invitation.url;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe('dashboard sign-in by email and password', () => {
  it('takes an invited analyst from the invitation link to a password and a session, once', async () => {
    const page = await freshPage();
    expect((await page.goto(analyst.invitation))?.status()).toBe(200);
    await expect(page.textContent('main')).resolves.toContain(analyst.email);
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-invitation.png` });
    await page.fill('#password', PASSWORD);
    await page.fill('#confirm', PASSWORD);
    const [response] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    expect(response?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/dashboard');
    await expect(page.textContent('.who')).resolves.toBe(`${analyst.email} · analyst`);
    // The link works once.
    const again = await page.goto(analyst.invitation);
    expect(again?.status()).toBe(410);
    await expect(page.textContent('.error')).resolves.toContain('not valid');
    await page.context().close();
  });

  it('signs the analyst in by email and password, to every page but the audit log', async () => {
    const page = await freshPage();
    const response = await signIn(page, stack.api, { email: analyst.email, password: PASSWORD });
    expect(response?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/dashboard');
    await expect(page.locator('nav a').allTextContents()).resolves.toEqual([
      'Overview',
      'Journeys',
      'Contact',
      'Segments',
    ]);
    for (const name of ['overview', 'journeys', 'segments']) expect(await dataStatus(page, name)).toBe(200);
    expect(await dataStatus(page, 'audit')).toBe(403);
    expect((await page.goto(`${stack.api}/dashboard/audit`))?.status()).toBe(403);
    await page.context().close();
  });

  it('signs out: the session ends, and its cookie sent again opens nothing', async () => {
    const page = await freshPage();
    await signIn(page, stack.api, { email: analyst.email, password: PASSWORD });
    const session = await sessionOf(page);
    expect(session).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await Promise.all([page.waitForNavigation(), page.click('form.sign-out button')]);
    expect(new URL(page.url()).pathname).toBe('/dashboard/sign-in');
    await expect(page.textContent('.notice')).resolves.toContain('signed out');
    const replayed = await fetch(`${stack.api}/dashboard`, {
      redirect: 'manual',
      headers: { cookie: `tend_session=${session}` },
    });
    expect(replayed.status).toBe(303);
    await page.context().close();
  });

  it('ends every session of a user an admin signs out everywhere', async () => {
    const page = await freshPage();
    await signIn(page, stack.api, { email: analyst.email, password: PASSWORD });
    expect(await dataStatus(page, 'overview')).toBe(200);
    const revoked = await adminCall('PATCH', `/api/users/${analyst.userId}`, { revokeSessions: true });
    expect(revoked.status).toBe(200);
    expect(await dataStatus(page, 'overview')).toBe(401);
    // A new sign-in after the revocation works.
    expect((await signIn(page, stack.api, { email: analyst.email, password: PASSWORD }))?.status()).toBe(200);
    expect(await dataStatus(page, 'overview')).toBe(200);
    await page.context().close();
  });

  it('locks an email after five failures in a row, saying until when', async () => {
    const page = await freshPage();
    const email = uniqueEmail('locked');
    const statuses: (number | undefined)[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await signIn(page, stack.api, { email, password: `wrong ${i}` }))?.status());
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    await expect(page.textContent('.error')).resolves.toMatch(/^Too many attempts: try again after \d\d:\d\d /);
    await expect(page.inputValue('#email')).resolves.toBe(email);
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-sign-in-locked.png` });
    await page.context().close();
  });

  it('refuses a sign-in posted from another origin, or without the form’s token, with a page that says so', async () => {
    const post = (headers: Record<string, string>, body: string) =>
      fetch(`${stack.api}/dashboard/sign-in`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body,
      });
    const page = await freshPage();
    await page.goto(`${stack.api}/dashboard/sign-in`);
    const form = (await page.context().cookies()).find((c) => c.name === 'tend_form')?.value ?? '';
    const csrf = await page.inputValue('form[data-form="admin-token"] input[name=csrf]');
    const body = new URLSearchParams({ csrf, token: stack.adminToken }).toString();
    const cookie = `tend_form=${form}`;
    const crossSite = await post({ cookie, origin: 'https://evil.example.net' }, body);
    expect(crossSite.status).toBe(403);
    await expect(crossSite.text()).resolves.toContain('did not come from this dashboard');
    expect(crossSite.headers.get('set-cookie') ?? '').not.toContain('tend_session');
    expect((await post({ origin: stack.api }, body)).status).toBe(403);
    // The same post with its cookie, from the dashboard's own origin, signs in.
    const own = await post({ cookie, origin: stack.api }, body);
    expect(own.status).toBe(303);
    expect(own.headers.get('set-cookie')).toMatch(/^tend_session=/);
    await page.context().close();
  });
});

describe('the audit page', () => {
  it('shows an admin every sign-in, with who, what and from where, as the audit API lists them', async () => {
    const page = await freshPage();
    await signIn(page, stack.api, stack.adminToken);
    await expect(page.locator('nav a').allTextContents()).resolves.toContain('Audit');
    const actor = encodeURIComponent(analyst.email);
    await page.goto(`${stack.api}/dashboard/audit?actor=${actor}`);
    await page.waitForSelector('[data-audit-summary]');
    const { json } = await adminCall('GET', `/api/audit?actor=${actor}&limit=50`);
    const listed = (json.entries as { auditId: string; summary: string; action: string }[]).map((e) => e.summary);
    const shown = await page.$$eval('[data-audit-summary]', (els) => els.map((e) => e.textContent));
    expect(shown).toEqual(listed);
    expect(listed).toContain('signed in to the dashboard with a password');
    expect(listed).toContain('accepted the invitation, set a password and signed in to the dashboard');
    for (const [size, viewport] of Object.entries(VIEWPORTS)) {
      await page.setViewportSize(viewport);
      await page.goto(`${stack.api}/dashboard/audit`);
      await page.waitForSelector('[data-audit-summary]');
      await page.screenshot({ path: `${ARTIFACTS}/dashboard-audit-${size}.png`, fullPage: true });
    }
    await page.context().close();
  });
});
