import uPlot from 'uplot';
import type { Cohort } from '#reports/kpis.ts';
import type { Overview } from '../server/data.ts';
import { el } from './dom.ts';
import { count, money, moneyShort, pct } from './format.ts';

/**
 * The overview's and the segments page's charts. The daily series is drawn by uPlot (axes that
 * space their ticks, a cursor readout); each comes with its figures as a table, so a screen
 * reader, or anyone copying, reads the numbers rather than a picture. Bars of a few categories
 * and the retention grid are tables themselves, shaded with CSS.
 */

const DAY_MS = 86_400_000;
const REVENUE_COLOR = '#2f6fed';
const ORDERS_COLOR = '#12a37f';
const AXIS_FONT = '11px system-ui, sans-serif';
const AXIS_STROKE = '#667085';
const GRID = { stroke: '#e4e7ec', width: 1 };

/** The smallest of 1, 2, 2.5, 5 or 10 times a power of ten that is at least `v`: an axis maximum. */
function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * p >= v) return step * p;
  return 10 * p;
}

/** A chart's width: the page's width (less padding) up to `max`, and never under 280. */
export function fitWidth(page: HTMLElement, max: number): number {
  return Math.max(280, Math.min(max, page.clientWidth - 32));
}

const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / DAY_MS;
const dayFormat = new Intl.DateTimeFormat('en', { month: 'short', day: 'numeric', timeZone: 'UTC' });
const dayLabel = (n: number) => dayFormat.format(new Date(n * DAY_MS));

/** A visually hidden table of the chart's figures, for screen readers. */
function figuresTable(
  caption: string,
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  keys: string[],
) {
  return el('table', { class: 'sr-only' }, [
    el('caption', {}, caption),
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        headers.map((h) => el('th', { scope: 'col' }, h)),
      ),
    ),
    el(
      'tbody',
      {},
      rows.map((row, i) =>
        el(
          'tr',
          { 'data-day': keys[i] },
          row.map((cell) => el('td', {}, cell)),
        ),
      ),
    ),
  ]);
}

/** A readout beside the cursor: the day under it, its revenue and its orders. */
function tooltip(series: Overview['series'], currency: string | null): uPlot.Plugin {
  const tip = el('div', { class: 'chart-tip', role: 'presentation' });
  tip.hidden = true;
  return {
    hooks: {
      init: (u) => {
        u.over.appendChild(tip);
      },
      setCursor: (u) => {
        const i = u.cursor.idx;
        const p = i === null || i === undefined ? undefined : series[i];
        const left = u.cursor.left ?? -1;
        if (!p || left < 0) {
          tip.hidden = true;
          return;
        }
        tip.textContent = `${dayLabel(dayNumber(p.day))}: ${money(p.revenueMinor, currency)}, ${count(p.orders)} order${p.orders === 1 ? '' : 's'}`;
        tip.hidden = false;
        tip.classList.toggle('flip', left > u.over.clientWidth / 2);
        tip.style.left = `${left}px`;
        tip.style.top = `${Math.max(0, (u.cursor.top ?? 0) - 36)}px`;
      },
    },
  };
}

/**
 * Writes where the day axis's labels were drawn, as `data-x-ticks` on `figure`: each label with
 * its left and right edge in CSS pixels over the plot. The labels are canvas text, so this is
 * the only place their boxes can be read (the browser test checks that none overlap).
 */
function tickBoxes(figure: HTMLElement, drawn: { ticks: [number, string][] }): uPlot.Plugin {
  const measure = document.createElement('canvas').getContext('2d');
  return {
    hooks: {
      draw: (u) => {
        if (!measure) return;
        measure.font = AXIS_FONT;
        const boxes = drawn.ticks.map(([v, label]) => {
          const x = u.valToPos(v, 'x');
          const half = measure.measureText(label).width / 2;
          return { label, left: Math.round(x - half), right: Math.round(x + half) };
        });
        figure.setAttribute('data-x-ticks', JSON.stringify(boxes));
      },
    },
  };
}

/** Ticks every `incr` days counted back from the last day, so that today is always labelled. */
function daySplits(last: number) {
  return (_u: uPlot, _axis: number, min: number, _max: number, incr: number): number[] => {
    const ticks: number[] = [];
    for (let d = last; d >= min; d -= incr) ticks.unshift(d);
    return ticks;
  };
}

/** Bars for revenue (left axis), a line for orders (right axis), one slot per day. */
export function seriesChart(series: Overview['series'], currency: string | null, width: number): HTMLElement {
  const height = 240;
  const days = series.map((p) => dayNumber(p.day));
  const last = days[days.length - 1] ?? 0;
  const revenue = series.map((p) => p.revenueMinor);
  const orders = series.map((p) => p.orders);
  const revenueLabel = `Revenue${currency ? ` (${currency})` : ''}`;
  const plot = el('div', { class: 'plot', 'aria-hidden': 'true' });
  const figure = el(
    'div',
    { class: 'chart', role: 'group', 'aria-label': 'Revenue and orders per day', 'data-chart': 'series' },
    [
      plot,
      figuresTable(
        'Revenue and orders per day',
        ['Day', revenueLabel, 'Orders'],
        series.map((p) => [p.day, money(p.revenueMinor, currency), count(p.orders)]),
        series.map((p) => p.day),
      ),
    ],
  );
  const drawn: { ticks: [number, string][] } = { ticks: [] };
  const options: uPlot.Options = {
    width,
    height,
    plugins: [tooltip(series, currency), tickBoxes(figure, drawn)],
    cursor: { drag: { x: false, y: false }, points: { show: false } },
    legend: { live: false },
    scales: {
      x: { time: false, range: (_u, min, max) => [min - 0.5, max + 0.5] },
      revenue: { range: (_u, min, max) => [Math.min(0, -niceMax(-min)), niceMax(max)] },
      // At least 4 so that the gridlines carry whole, distinct order counts.
      orders: { range: (_u, _min, max) => [0, Math.max(4, niceMax(max))] },
    },
    series: [
      { label: 'Day' },
      {
        label: revenueLabel,
        scale: 'revenue',
        stroke: REVENUE_COLOR,
        fill: REVENUE_COLOR,
        width: 0,
        paths: uPlot.paths.bars?.({ size: [0.7, 48] }),
        points: { show: false },
      },
      { label: 'Orders', scale: 'orders', stroke: ORDERS_COLOR, width: 2, points: { show: false } },
    ],
    axes: [
      {
        font: AXIS_FONT,
        stroke: AXIS_STROKE,
        grid: { show: false },
        space: 64,
        incrs: [1, 2, 7, 14, 28, 56, 91],
        splits: daySplits(last),
        values: (_u, splits) => {
          drawn.ticks = splits.map((v) => [v, dayLabel(v)]);
          return drawn.ticks.map(([, label]) => label);
        },
      },
      {
        scale: 'revenue',
        font: AXIS_FONT,
        stroke: AXIS_STROKE,
        grid: GRID,
        size: 56,
        space: 36,
        values: (_u, splits) => splits.map((v) => moneyShort(v, currency)),
      },
      {
        scale: 'orders',
        side: 1,
        font: AXIS_FONT,
        stroke: AXIS_STROKE,
        grid: { show: false },
        size: 44,
        space: 36,
        incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000],
        values: (_u, splits) => splits.map((v) => count(v)),
      },
    ],
  };
  const chart = new uPlot(options, [days, revenue, orders], plot);
  // Follow the panel's width (a phone turned, a window resized); the height stays.
  new ResizeObserver(() => {
    const w = Math.max(260, plot.clientWidth);
    if (w !== chart.width) chart.setSize({ width: w, height });
  }).observe(plot);
  return figure;
}

/**
 * Horizontal bars as a table: a row per item with its bar, its count and, when given, a note.
 * The bar's length is a share of the longest; the figures are text beside it.
 */
function barTable(
  chart: string,
  caption: string,
  headers: readonly [string, string, string?],
  rows: readonly { label: string; n: number; note?: string; color: string; attrs?: Record<string, string> }[],
): HTMLElement {
  const max = Math.max(1, ...rows.map((r) => r.n));
  return el('table', { class: 'bars', 'data-chart': chart }, [
    el('caption', { class: 'sr-only' }, caption),
    el(
      'thead',
      { class: 'sr-only' },
      el('tr', {}, [
        el('th', { scope: 'col' }, headers[0]),
        el('th', { scope: 'col' }, headers[1]),
        headers[2] ? el('th', { scope: 'col' }, headers[2]) : null,
      ]),
    ),
    el(
      'tbody',
      {},
      rows.map((r) => {
        const bar = el('span', { class: 'bar' });
        bar.style.setProperty('--w', `${((100 * r.n) / max).toFixed(1)}%`);
        bar.style.setProperty('--c', r.color);
        return el('tr', {}, [
          el('th', { scope: 'row', title: r.label }, r.label),
          el(
            'td',
            { class: 'bar-cell' },
            el('div', {}, [bar, el('span', { class: 'figure', ...r.attrs }, count(r.n))]),
          ),
          headers[2] ? el('td', { class: 'num' }, r.note ?? '') : null,
        ]);
      }),
    ),
  ]);
}

const FUNNEL_COLORS = ['#2f6fed', '#5b8def', '#12a37f', '#0b7a5e'];

/** One bar per step, each with its count and its share of the step before. */
export function funnelChart(f: Overview['funnel']): HTMLElement {
  const steps: [string, number][] = [
    ['Contacts', f.contacts],
    ['Leads', f.leads],
    ['Customers', f.customers],
    ['Repeat customers', f.repeatCustomers],
  ];
  return barTable(
    'funnel',
    'Funnel: contacts, leads, customers and repeat customers reached in the period',
    ['Step', 'Count', 'Of the step before'],
    steps.map(([label, n], i) => {
      const prev = i > 0 ? steps[i - 1]?.[1] : null;
      return {
        label,
        n,
        note: prev ? pct(n / prev) : '',
        color: FUNNEL_COLORS[i] ?? REVENUE_COLOR,
        attrs: { 'data-funnel': label },
      };
    }),
  );
}

/** Retention: a row per first-order month, a cell per month since, shaded by the share who ordered. */
export function cohortChart(cohorts: readonly Cohort[]): HTMLElement {
  const cols = 1 + cohorts.reduce((m, c) => Math.max(m, c.retained.length), 0);
  return el('table', { class: 'heat', 'data-chart': 'cohorts' }, [
    el('caption', { class: 'sr-only' }, 'Retention by cohort: the share of each first-order month who ordered again'),
    el(
      'thead',
      {},
      el('tr', {}, [
        el('th', { scope: 'col' }, 'First order'),
        ...Array.from({ length: cols }, (_, k) =>
          el('th', { scope: 'col', class: 'num', title: `${k} months after` }, `M${k}`),
        ),
      ]),
    ),
    el(
      'tbody',
      {},
      cohorts.map((c) => {
        const cells: Cohort['retained'] = [
          { count: c.customers, of: c.customers, rate: c.customers > 0 ? 1 : null },
          ...c.retained,
        ];
        return el('tr', {}, [
          el('th', { scope: 'row' }, `${c.month} (${count(c.customers)})`),
          ...cells.map(({ rate, count: n, of }) => {
            const td = el(
              'td',
              {
                class: rate !== null && rate > 0.5 ? 'num on-dark' : 'num',
                title: rate === null ? null : `${count(n)} of ${count(of)}`,
              },
              rate === null ? '' : `${Math.round(rate * 100)}%`,
            );
            if (rate !== null) td.style.setProperty('--a', (0.12 + 0.88 * rate).toFixed(2));
            return td;
          }),
        ]);
      }),
    ),
  ]);
}

/** Members per segment, one bar each. */
export function segmentsChart(list: readonly { name: string; members: number }[]): HTMLElement {
  return barTable(
    'segments',
    'Members per segment',
    ['Segment', 'Members'],
    list.map((x) => ({ label: x.name, n: x.members, color: REVENUE_COLOR })),
  );
}
