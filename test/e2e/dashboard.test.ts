import { mkdirSync } from 'node:fs';
import { GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kpis } from '#reports/kpis.ts';
import { launchChromium, signIn } from '../support/browser.ts';
import { adminCall, drained, eventually, getContact, postWebhook, sfn, stack, uniqueEmail } from '../support/local.ts';

/**
 * The owner's dashboard in headless Chromium (the system one; never a downloaded browser) against
 * the local stack, seeded before the tests as `npm start` seeds it (a smaller demo shop and the
 * example segments).
 * More data is arranged through the real webhooks; numbers on each page are checked against the
 * JSON APIs, and screenshots at laptop and phone widths go to test-artifacts/.
 */

const ARTIFACTS = 'test-artifacts';
const VIEWPORTS = { laptop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } } as const;
const HOSTILE_NAME = '<img src=x onerror=alert(1)>Ada';

const count = (n: number) => new Intl.NumberFormat('en').format(n);
/** Euros as the page writes them: whole euros from €1,000 up. */
const eur = (minor: number) => {
  const digits = Math.abs(minor) >= 100_000 ? 0 : 2;
  return new Intl.NumberFormat('en', {
    style: 'currency',
    currency: 'EUR',
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(minor / 100);
};
const pct = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`);

/** The states an execution entered, from the local Step Functions endpoint's history. */
async function sfnHistory(executionArn: string): Promise<string[]> {
  const out = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
  return (out.events ?? []).flatMap((e) => (e.stateEnteredEventDetails?.name ? [e.stateEnteredEventDetails.name] : []));
}

let browser: Browser;
let context: BrowserContext;
const email = uniqueEmail('dashboard');
/** Only this run's contact carries this cohort, so the segment below holds exactly one member. */
const RUN = email.split('@')[0] as string;
const SEGMENT = `dashboard-${RUN}`;

async function screenshots(page: Page, name: string) {
  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(viewport);
    // Charts size themselves to the page when drawn: load again at this width.
    await page.reload({ waitUntil: 'networkidle' });
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-${name}-${size}.png`, fullPage: true });
  }
  await page.setViewportSize(VIEWPORTS.laptop);
}

/** Other tests add data while these run: retry until the API reads the same before and after the page. */
async function steady<T>(what: string, api: () => Promise<T>, check: (before: T) => Promise<boolean>): Promise<T> {
  return eventually(
    what,
    async () => {
      const before = await api();
      const matched = await check(before);
      const after = await api();
      return matched && JSON.stringify(before) === JSON.stringify(after) ? before : undefined;
    },
    20_000,
  );
}

/** Whether the overview's cards show these KPIs (reloading the page first), formatted as the page does. */
async function pageShows(page: Page, k: Kpis): Promise<boolean> {
  await page.reload();
  await page.waitForSelector('[data-kpi="orders"]');
  const shown = Object.fromEntries(
    await page.$$eval('[data-kpi]', (els) => els.map((e) => [e.getAttribute('data-kpi'), e.textContent])),
  );
  return (
    shown.orders === count(k.orders) &&
    shown.newContacts === count(k.newContacts) &&
    shown.newLeads === count(k.newLeads) &&
    shown.revenue === eur(k.revenue.netMinor) &&
    shown.repeatPurchase === pct(k.repeatPurchase.rate) &&
    shown.leadToCustomer === pct(k.leadToCustomer.rate) &&
    shown.aov === (k.averageOrderValueMinor === null ? '—' : eur(k.averageOrderValueMinor)) &&
    shown.clv === (k.historicClvMinor === null ? '—' : eur(k.historicClvMinor))
  );
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  // Arrange: a lead (a form) who then orders twice, in EUR.
  expect(
    (
      await postWebhook({
        body: JSON.stringify({ email, firstName: HOSTILE_NAME, fields: { plan: 'pro', cohort: RUN } }),
      })
    ).status,
  ).toBe(202);
  // A segment of this run's repeat buyers: the contact enters at the second order.
  const saved = await adminCall('PUT', `/api/segments/${SEGMENT}`, {
    name: 'Dashboard repeat buyers',
    conditions: [
      { kind: 'property', property: 'properties.cohort', op: 'eq', value: RUN },
      { kind: 'event', event: 'order.placed', count: { op: 'gte', value: 2 }, within: { days: 90 } },
    ],
  });
  expect(saved.status).toBe(200);
  const order = (orderId: string, amountMinor: number) =>
    JSON.stringify({
      type: 'order.placed',
      data: { email, orderId, total: { amountMinor, currency: 'EUR' }, lineItems: [] },
    });
  expect((await postWebhook({ body: order(`${email}-1`, 4_200) })).status).toBe(202);
  expect((await postWebhook({ body: order(`${email}-2`, 5_800) })).status).toBe(202);
  await eventually('both orders on the contact’s timeline', async () => {
    const { body } = await getContact(email);
    return body.timeline?.filter((e) => e.name === 'order.placed').length === 2 ? true : undefined;
  });
  await eventually('the orders in the KPIs', async () => {
    const { json } = await adminCall('GET', '/api/reports/kpis');
    return json.kpis.orders >= 2 && json.kpis.repeatPurchase.count >= 1 ? true : undefined;
  });
  // The stack was seeded before the tests (test/global-setup.ts), as `npm start` seeds its own.
  expect((await getContact(`demo-${String(stack.demoContacts - 1).padStart(4, '0')}@example.com`)).status).toBe(200);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: VIEWPORTS.laptop });
}, 90_000);

afterAll(async () => {
  await browser?.close();
});

describe('dashboard sign-in', () => {
  it('redirects a page without a session to the sign-in form', async () => {
    const res = await fetch(`${stack.api}/dashboard/journeys`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/dashboard/sign-in');
    const data = await fetch(`${stack.api}/dashboard/data/overview`);
    expect(data.status).toBe(401);

    const page = await browser.newPage();
    await page.goto(`${stack.api}/dashboard`);
    expect(new URL(page.url()).pathname).toBe('/dashboard/sign-in');
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-sign-in.png` });
    await page.close();
  });

  it('refuses a wrong token and sets no session', async () => {
    const page = await browser.newPage();
    const response = await signIn(page, stack.api, 'not-the-admin-token-at-all');
    expect(response?.status()).toBe(401);
    await expect(page.textContent('.error')).resolves.toContain('not the admin token');
    // Only the form cookie the sign-in page set (its CSRF nonce): no session.
    expect((await page.context().cookies()).map((c) => c.name)).toEqual(['tend_form']);
    await page.close();
  });

  it('refuses a session cookie it never issued, well-formed or not', async () => {
    for (const value of ['A'.repeat(43), 'eyJ2IjoxLCJleHAiOjQwMDAwMDAwMDB9.forged']) {
      const res = await fetch(`${stack.api}/dashboard`, {
        redirect: 'manual',
        headers: { cookie: `tend_session=${value}` },
      });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/dashboard/sign-in');
    }
  });
});

describe('dashboard pages, signed in', () => {
  let page: Page;

  beforeAll(async () => {
    page = await context.newPage();
    const response = await signIn(page, stack.api, stack.adminToken);
    expect(response?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/dashboard');
    const cookie = (await context.cookies()).find((c) => c.name === 'tend_session');
    expect(cookie).toMatchObject({ name: 'tend_session', httpOnly: true, sameSite: 'Strict', path: '/dashboard' });
  });

  it('shows the last 30 days’ KPIs as the reports API computes them, under a strict CSP', async () => {
    const response = await page.goto(`${stack.api}/dashboard`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    const kpisNow = async () => (await adminCall('GET', '/api/reports/kpis')).json.kpis;
    const shownKpis = await steady('overview numbers', kpisNow, (k) => pageShows(page, k));
    expect(shownKpis.orders).toBeGreaterThanOrEqual(2);
    await expect(page.locator('[data-chart="series"] tr[data-day]').count()).resolves.toBe(30);
    await expect(page.locator('[data-chart="funnel"]').count()).resolves.toBe(1);
    await expect(page.locator('[data-chart="cohorts"]').count()).resolves.toBe(1);
    await screenshots(page, 'overview');
  });

  it('keeps each figure on one line, churn in words and the day labels apart, on a phone and a laptop', async () => {
    for (const [size, viewport] of Object.entries(VIEWPORTS)) {
      await page.setViewportSize(viewport);
      await page.goto(`${stack.api}/dashboard`);
      await page.waitForSelector('[data-chart="series"][data-x-ticks]');
      // A figure wraps when its text lies on more than one line, or it overflows its box.
      const wrapped = await page.$$eval('[data-kpi], td.num, table.bars .figure', (els) =>
        els.flatMap((e) => {
          const range = e.ownerDocument.createRange();
          range.selectNodeContents(e);
          const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.bottom)));
          return lines.size > 1 || e.scrollWidth > e.clientWidth + 1 ? [e.textContent ?? ''] : [];
        }),
      );
      expect(wrapped, `figures wrapped at ${size}`).toEqual([]);
      const cardOut = await page.$$eval(
        '.card',
        (cards) =>
          cards.filter((c) => c.getBoundingClientRect().right > c.ownerDocument.documentElement.clientWidth).length,
      );
      expect(cardOut, `cards past the page's edge at ${size}`).toBe(0);

      const churn = await page.locator('.card', { has: page.locator('[data-kpi="churn"]') }).textContent();
      expect(churn).not.toMatch(/\bof 0\b/);
      expect(churn).toMatch(/cancelled/);

      const ticks: { label: string; left: number; right: number }[] = JSON.parse(
        (await page.getAttribute('[data-chart="series"]', 'data-x-ticks')) ?? '[]',
      );
      expect(ticks.length, `day labels at ${size}`).toBeGreaterThanOrEqual(2);
      for (let i = 1; i < ticks.length; i++) {
        expect(ticks[i]?.left, `"${ticks[i - 1]?.label}" and "${ticks[i]?.label}" at ${size}`).toBeGreaterThan(
          (ticks[i - 1]?.right ?? 0) + 4,
        );
      }
      await page.screenshot({ path: `${ARTIFACTS}/dashboard-overview-figures-${size}.png`, fullPage: true });
    }
    await page.setViewportSize(VIEWPORTS.laptop);
  });

  it('shows the period chosen, 90 days, as the reports API computes it for those days', async () => {
    await page.goto(`${stack.api}/dashboard?days=90`);
    await page.waitForSelector('[data-period]');
    const [from, to] = ((await page.getAttribute('[data-period]', 'data-period')) ?? '').split('/');
    expect(Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)).toBe(89 * 86_400_000);
    const kpisThen = async () => (await adminCall('GET', `/api/reports/kpis?from=${from}&to=${to}`)).json.kpis;
    await steady('90-day numbers', kpisThen, (k) => pageShows(page, k));
    await expect(page.locator('[data-chart="series"] tr[data-day]').count()).resolves.toBe(90);
    await expect(page.locator('select[name="days"] option[selected]').textContent()).resolves.toBe('Last 90 days');
  });

  it('lists journeys with their live version and report, and draws the live definition', async () => {
    // A journey only this test enrolls in, so its figures hold still while other tests run: two
    // contacts enter and wait for an answer that never comes.
    const id = `e2e-list-${RUN}`;
    const journey = {
      schemaVersion: 1,
      id,
      name: 'Dashboard list under test',
      triggers: [{ type: 'event', event: 'form.submitted', where: [{ path: 'fields.e2eList', op: 'eq', value: RUN }] }],
      start: 'hold',
      nodes: {
        hold: {
          type: 'wait-for-event',
          event: 'nps.responded',
          timeout: { days: 365 },
          next: 'done',
          onTimeout: 'gone',
        },
        done: { type: 'exit' },
        gone: { type: 'exit' },
      },
    };
    expect((await adminCall('PUT', `/api/journeys/${id}`, journey)).status).toBe(200);
    expect((await adminCall('POST', `/api/journeys/${id}/publish`)).status).toBe(201);
    for (const who of ['a', 'b']) {
      const body = JSON.stringify({ email: uniqueEmail(`e2e-list-${who}`), fields: { e2eList: RUN } });
      expect((await postWebhook({ body })).status).toBe(202);
    }
    const report = await eventually('both entries in the journey report', async () => {
      await drained();
      const found = (await adminCall('GET', '/api/reports/journeys')).json.journeys.find(
        (j: { journeyId: string; version: number }) => j.journeyId === id && j.version === 1,
      ) as { entered: number; active: number } | undefined;
      return found?.entered === 2 ? found : undefined;
    });
    expect(report.active).toBe(2);
    await page.goto(`${stack.api}/dashboard/journeys`);
    await page.waitForSelector(`a[data-journey="${id}"]`);
    const row = page.locator('tr', { has: page.locator(`a[data-journey="${id}"]`) });
    const cells = await row.locator('td').allTextContents();
    expect(cells.slice(2, 5)).toEqual(['v1', count(2), count(2)]);
    await screenshots(page, 'journeys');

    const live = (await adminCall('GET', '/api/journeys/loyalty')).json.live;
    const versions = (await adminCall('GET', '/api/journeys/loyalty/versions')).json;
    await page.goto(`${stack.api}/dashboard/journeys?id=loyalty`);
    await page.waitForSelector('[data-chart="journey"]');
    const drawn = await page.$$eval('[data-chart="journey"] [data-node-id]', (els) =>
      els.map((e) => e.getAttribute('data-node-id')),
    );
    expect(drawn.sort()).toEqual(Object.keys(live.document.nodes).sort());
    const history = Array.isArray(versions) ? versions : (versions.versions as unknown[]);
    await expect(page.locator('table').last().locator('tbody tr').count()).resolves.toBe(history.length);
    await screenshots(page, 'journey');
  });

  it('shows a contact’s profile as text, scores with explanations, enrollments and timeline', async () => {
    const { body: view } = await getContact(email);
    await page.goto(`${stack.api}/dashboard/contact?email=${encodeURIComponent(email)}`);
    await page.waitForSelector('[data-contact="name"]');
    // The name is user input: shown literally, never parsed into an element.
    await expect(page.textContent('[data-contact="name"]')).resolves.toBe(HOSTILE_NAME);
    await expect(page.locator('main img').count()).resolves.toBe(0);
    const scores = (view as unknown as { scores: Record<string, { explanation: string[] }> }).scores;
    for (const key of ['rfm', 'churn', 'lead', 'loyalty']) {
      const items = await page.locator(`[data-score="${key}"] li`).allTextContents();
      expect(items).toEqual(scores[key]?.explanation);
    }
    for (const enrollment of view.enrollments.filter((e) => e.executionArn)) {
      await expect(page.textContent(`[data-arn="${enrollment.enrollmentId}"]`)).resolves.toBe(enrollment.executionArn);
    }
    const orders = await page.locator('td', { hasText: /^order\.placed$/ }).count();
    expect(orders).toBe(view.timeline.filter((e) => e.name === 'order.placed').length);
    await screenshots(page, 'contact');

    // Each journey path opens from its execution history: the states it entered, in order.
    const loyalty = view.enrollments.find((e) => e.journeyId === 'loyalty' && e.executionArn);
    expect(loyalty).toBeDefined();
    const history = await sfnHistory(loyalty?.executionArn as string);
    await page.click(`[data-path="${loyalty?.enrollmentId}"]`);
    await page.waitForSelector(`[data-path-panel="${loyalty?.enrollmentId}"]`);
    const steps = await page.$$eval(`[data-path-panel="${loyalty?.enrollmentId}"] li`, (els) =>
      els.map((e) => e.getAttribute('data-step')),
    );
    expect(steps.slice(0, history.length)).toEqual(history.slice(0, steps.length));
    // The tier split runs inside the points update's Task: its Choice is the next state.
    expect(steps.slice(0, 2)).toEqual(['points', 'tier:route']);
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-contact-path-laptop.png`, fullPage: true });
  });

  it('lists segments with the counts the API reports, and a segment with its members', async () => {
    const listed = async () =>
      (await adminCall('GET', '/api/segments')).json.segments as { id: string; members: number; rule: string }[];
    await eventually('the contact in the segment', async () =>
      (await listed()).find((x) => x.id === SEGMENT)?.members === 1 ? true : undefined,
    );
    await page.goto(`${stack.api}/dashboard/segments`);
    await page.waitForSelector(`[data-segment="${SEGMENT}"]`);
    await steady('segment counts on the page', listed, async (segments) => {
      await page.reload();
      await page.waitForSelector('[data-chart="segments"]');
      const shown = await page.$$eval('[data-segment-count]', (els) =>
        els.map((e) => [e.getAttribute('data-segment-count'), e.textContent]),
      );
      return JSON.stringify(shown) === JSON.stringify(segments.map((x) => [x.id, count(x.members)]));
    });
    await screenshots(page, 'segments');

    const { json: one } = await adminCall('GET', `/api/segments/${SEGMENT}`);
    const { body: view } = await getContact(email);
    await page.goto(`${stack.api}/dashboard/segments?id=${SEGMENT}`);
    await page.waitForSelector('[data-kpi="members"]');
    await expect(page.textContent('[data-kpi="members"]')).resolves.toBe('1');
    await expect(page.textContent(`[data-segment-rule="${SEGMENT}"]`)).resolves.toBe(one.rule);
    await expect(page.textContent(`[data-member="${view.contact.contactId}"]`)).resolves.toBe(email);
    await screenshots(page, 'segment');

    await page.click(`[data-member="${view.contact.contactId}"]`);
    await page.waitForSelector('[data-contact="segments"]');
    await expect(page.locator('[data-contact="segments"] a').allTextContents()).resolves.toContain(SEGMENT);
  });
});
