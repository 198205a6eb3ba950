import type { Cohort } from '#reports/kpis.ts';
import type { Overview } from '../server/data.ts';
import { svg } from './dom.ts';
import { count, money, pct } from './format.ts';

/** The overview's and the segments page's charts, drawn as inline SVG. */

/** The smallest of 1, 2, 2.5, 5 or 10 times a power of ten that is at least `v`: an axis maximum. */
function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * p >= v) return step * p;
  return 10 * p;
}

/** A chart's width: the page's width (less padding) up to `max`, and never under 300. */
export function fitWidth(page: HTMLElement, max: number): number {
  return Math.max(300, Math.min(max, page.clientWidth - 32));
}

/** Bars for revenue (left axis), a line for orders (right axis), one slot per day. */
export function seriesChart(series: Overview['series'], currency: string | null, W: number): SVGElement {
  const H = 240;
  const L = 64;
  const R = 40;
  const T = 12;
  const B = 30;
  const pw = W - L - R;
  const ph = H - T - B;
  const maxRev = niceMax(Math.max(...series.map((p) => p.revenueMinor), 0));
  // At least 4 so that the five gridlines carry whole, distinct order counts.
  const maxOrd = Math.max(4, niceMax(Math.max(...series.map((p) => p.orders), 0)));
  const slot = pw / Math.max(series.length, 1);
  const root = svg('svg', {
    viewBox: `0 0 ${W} ${H}`,
    width: W,
    role: 'img',
    'aria-label': 'Revenue and orders per day',
    'data-chart': 'series',
  });
  for (let g = 0; g <= 4; g++) {
    const y = T + ph - (ph * g) / 4;
    root.appendChild(svg('line', { x1: L, x2: W - R, y1: y, y2: y, stroke: '#e4e7ec' }));
    root.appendChild(svg('text', { x: L - 6, y: y + 4, 'text-anchor': 'end' }, money((maxRev * g) / 4, currency)));
    root.appendChild(svg('text', { x: W - R + 6, y: y + 4 }, count(Math.round((maxOrd * g) / 4))));
  }
  const points: string[] = [];
  series.forEach((p, i) => {
    const x = L + i * slot;
    const h = (Math.max(p.revenueMinor, 0) / maxRev) * ph;
    const bar = svg('rect', {
      x: x + slot * 0.15,
      y: T + ph - h,
      width: slot * 0.7,
      height: h,
      fill: '#2f6fed',
      'data-day': p.day,
    });
    bar.appendChild(svg('title', {}, `${p.day}: ${money(p.revenueMinor, currency)}, ${p.orders} orders`));
    root.appendChild(bar);
    points.push(`${(x + slot / 2).toFixed(1)},${(T + ph - (p.orders / maxOrd) * ph).toFixed(1)}`);
    // A label a week, counted back from the last day so that today is always labelled.
    if ((series.length - 1 - i) % 7 === 0) {
      root.appendChild(svg('text', { x: x + slot / 2, y: H - 10, 'text-anchor': 'middle' }, p.day.slice(5)));
    }
  });
  root.appendChild(svg('polyline', { points: points.join(' '), fill: 'none', stroke: '#12a37f', 'stroke-width': 2 }));
  return root;
}

const FUNNEL_COLORS = ['#2f6fed', '#5b8def', '#12a37f', '#0b7a5e'];

/** One bar per step, each with its count and its share of the step before. */
export function funnelChart(f: Overview['funnel'], W: number): SVGElement {
  const steps: [string, number][] = [
    ['Contacts', f.contacts],
    ['Leads', f.leads],
    ['Customers', f.customers],
    ['Repeat customers', f.repeatCustomers],
  ];
  const row = 40;
  const H = steps.length * row + 4;
  const L = 124;
  const max = Math.max(1, ...steps.map(([, n]) => n));
  const root = svg('svg', {
    viewBox: `0 0 ${W} ${H}`,
    width: W,
    role: 'img',
    'aria-label': 'Funnel',
    'data-chart': 'funnel',
  });
  steps.forEach(([label, n], i) => {
    const y = i * row + 4;
    const w = Math.max(2, ((W - L - 100) * n) / max);
    root.appendChild(svg('text', { x: L - 8, y: y + 21, 'text-anchor': 'end' }, label));
    root.appendChild(svg('rect', { x: L, y: y + 4, width: w, height: row - 12, rx: 3, fill: FUNNEL_COLORS[i] }));
    const prev = i > 0 ? steps[i - 1]?.[1] : null;
    const note = count(n) + (prev ? ` (${pct(n / prev)})` : '');
    root.appendChild(svg('text', { x: L + w + 8, y: y + 21, 'data-funnel': label }, note));
  });
  return root;
}

/** Retention: a row per first-order month, a cell per month since, shaded by the share who ordered. */
export function cohortChart(cohorts: readonly Cohort[]): SVGElement {
  const cols = 1 + cohorts.reduce((m, c) => Math.max(m, c.retained.length), 0);
  const cw = 52;
  const ch = 26;
  const L = 120;
  const T = 22;
  const W = L + cols * cw + 4;
  const H = T + cohorts.length * ch + 4;
  const root = svg('svg', {
    viewBox: `0 0 ${W} ${H}`,
    width: W,
    role: 'img',
    'aria-label': 'Retention by cohort',
    'data-chart': 'cohorts',
  });
  for (let k = 0; k < cols; k++) {
    root.appendChild(svg('text', { x: L + k * cw + cw / 2, y: 14, 'text-anchor': 'middle' }, `M${k}`));
  }
  cohorts.forEach((c, r) => {
    const y = T + r * ch;
    root.appendChild(svg('text', { x: L - 8, y: y + 17, 'text-anchor': 'end' }, `${c.month} (${c.customers})`));
    const cells: { rate: number | null }[] = [{ rate: c.customers > 0 ? 1 : null }, ...c.retained];
    cells.forEach(({ rate }, k) => {
      const fill = rate === null ? '#f2f4f7' : `rgba(47,111,237,${(0.12 + 0.88 * rate).toFixed(2)})`;
      root.appendChild(svg('rect', { x: L + k * cw + 1, y: y + 1, width: cw - 2, height: ch - 2, fill, rx: 2 }));
      const dark = rate !== null && rate > 0.5;
      root.appendChild(
        svg(
          'text',
          { x: L + k * cw + cw / 2, y: y + 17, 'text-anchor': 'middle', class: dark ? 'on-dark' : null },
          rate === null ? '' : `${Math.round(rate * 100)}%`,
        ),
      );
    });
  });
  return root;
}

/** Members per segment, one bar each. */
export function segmentsChart(list: readonly { name: string; members: number }[], W: number): SVGElement {
  const row = 30;
  const L = 190;
  const H = list.length * row + 4;
  const max = Math.max(1, ...list.map((x) => x.members));
  const root = svg('svg', {
    viewBox: `0 0 ${W} ${H}`,
    width: W,
    role: 'img',
    'aria-label': 'Members per segment',
    'data-chart': 'segments',
  });
  list.forEach((x, i) => {
    const y = i * row + 4;
    const w = Math.max(2, ((W - L - 80) * x.members) / max);
    const name = x.name.length > 26 ? `${x.name.slice(0, 25)}…` : x.name;
    root.appendChild(svg('text', { x: L - 8, y: y + 17, 'text-anchor': 'end' }, name));
    root.appendChild(svg('rect', { x: L, y: y + 3, width: w, height: row - 10, rx: 3, fill: '#2f6fed' }));
    root.appendChild(svg('text', { x: L + w + 8, y: y + 17 }, count(x.members)));
  });
  return root;
}
