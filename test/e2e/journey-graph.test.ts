import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crossings, overlaps } from '#dashboard/client/journey-geometry.ts';
import { BUILT_IN_JOURNEY_IDS } from '#workflows/journeys/index.ts';
import { launchChromium, signIn } from '../support/browser.ts';
import { adminCall, stack } from '../support/local.ts';

/**
 * The live definition of each built-in journey as the journeys page draws it, in headless
 * Chromium (the system one) against the local stack: a box per node, none overlapping another,
 * no edges crossing, and the drawing readable on a laptop and scrolling sideways on a phone.
 * Screenshots go to test-artifacts/.
 */

const ARTIFACTS = 'test-artifacts';
const VIEWPORTS = { laptop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } } as const;

interface Drawn {
  nodes: { id: string; x: number; y: number; width: number; height: number }[];
  edges: { handle: string; label: string; points: { x: number; y: number }[] }[];
}

/** The drawn journey: each node's box on the page and each edge's polyline, in the drawing's units. */
function drawn(page: Page): Promise<Drawn> {
  return page.$eval('[data-chart="journey"]', (chart) => ({
    nodes: [...chart.querySelectorAll('[data-node-id]')].map((g) => {
      const r = g.querySelector('rect')?.getBoundingClientRect();
      return {
        id: g.getAttribute('data-node-id') ?? '',
        x: r?.x ?? 0,
        y: r?.y ?? 0,
        width: r?.width ?? 0,
        height: r?.height ?? 0,
      };
    }),
    edges: [...chart.querySelectorAll('[data-handle]')].map((g) => ({
      handle: g.getAttribute('data-handle') ?? '',
      label: g.querySelector('text')?.textContent ?? '',
      points: (g.querySelector('path')?.getAttribute('data-points') ?? '').split(' ').map((p: string) => {
        const [x = 0, y = 0] = p.split(',').map(Number);
        return { x, y };
      }),
    })),
  }));
}

let browser: Browser;
let page: Page;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: VIEWPORTS.laptop })).newPage();
  await signIn(page, stack.api, stack.adminToken);
}, 90_000);

afterAll(async () => {
  await browser?.close();
});

describe('the journey graph', () => {
  for (const id of BUILT_IN_JOURNEY_IDS) {
    it(`draws ${id}: a box per node, none overlapping, no edges crossing, labelled handles`, async () => {
      const { json } = await adminCall('GET', `/api/journeys/${id}`);
      const nodes = json.live.document.nodes as Record<string, { type: string }>;
      await page.setViewportSize(VIEWPORTS.laptop);
      await page.goto(`${stack.api}/dashboard/journeys?id=${id}`);
      await page.waitForSelector('[data-chart="journey"] [data-node-id]');

      const { nodes: boxes, edges } = await drawn(page);
      expect(boxes.map((b) => b.id).sort()).toEqual(Object.keys(nodes).sort());
      expect(overlaps(boxes)).toEqual([]);
      expect(edges.length).toBeGreaterThanOrEqual(Object.keys(nodes).length - 1);
      expect(crossings(edges.map((e) => e.points))).toBe(0);
      for (const e of edges) expect(e.label === '').toBe(e.handle === 'next');
      // Readable on a laptop: the whole drawing fits the page at its own size, text unshrunk.
      const fits = await page.$eval(
        '[data-chart="journey"]',
        (svg) => svg.getBoundingClientRect().width <= (svg.parentElement?.clientWidth ?? 0),
      );
      expect(fits).toBe(true);
    });
  }

  it('is readable at 1280 px and scrolls sideways inside its panel on a phone', async () => {
    await page.setViewportSize(VIEWPORTS.laptop);
    await page.goto(`${stack.api}/dashboard/journeys?id=loyalty`);
    await page.waitForSelector('[data-chart="journey"] [data-node-id]');
    await page.screenshot({ path: `${ARTIFACTS}/journey-graph-loyalty-laptop.png`, fullPage: true });

    await page.setViewportSize(VIEWPORTS.phone);
    await page.reload();
    await page.waitForSelector('[data-chart="journey"] [data-node-id]');
    const widths = await page.$eval('[data-chart="journey"]', (svg) => ({
      page: svg.ownerDocument.documentElement.scrollWidth,
      panel: svg.parentElement?.clientWidth ?? 0,
      panelScroll: svg.parentElement?.scrollWidth ?? 0,
      drawing: svg.getBoundingClientRect().width,
    }));
    // The page itself never scrolls sideways; the panel does, with the drawing at full size.
    expect(widths.page).toBeLessThanOrEqual(VIEWPORTS.phone.width);
    expect(widths.drawing).toBeGreaterThan(widths.panel);
    expect(widths.panelScroll).toBeGreaterThanOrEqual(Math.floor(widths.drawing));
    await page.screenshot({ path: `${ARTIFACTS}/journey-graph-loyalty-phone.png`, fullPage: true });
    await page.$eval('[data-chart="journey"]', (svg) => {
      svg.parentElement?.scrollTo({ left: svg.parentElement.scrollWidth });
    });
    await page.screenshot({ path: `${ARTIFACTS}/journey-graph-loyalty-phone-scrolled.png`, fullPage: true });
  });
});
