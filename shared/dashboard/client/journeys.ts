import type { JourneyReport } from '#reports/journey-report.ts';
import type { DashboardData } from '../server/data.ts';
import { append, clear, el } from './dom.ts';
import { count, money, pct, usd, when } from './format.ts';
import type { NodeFigures } from './journey-graph.ts';
import { load } from './load.ts';
import { badge, card, showError, table } from './widgets.ts';

/** Revenue per currency, e.g. "€42.00, $10.00". */
function revenueOf(r: JourneyReport): string {
  const parts = Object.keys(r.revenue).map((c) => money(r.revenue[c], c));
  return parts.length ? parts.join(', ') : '—';
}

function liftOf(r: JourneyReport): string {
  if (r.lift.absolute === null) return 'no holdout';
  return `${r.lift.absolute >= 0 ? '+' : ''}${(r.lift.absolute * 100).toFixed(1)} pts vs holdout`;
}

function exitsOf(r: JourneyReport): string {
  const keys = Object.keys(r.exitedByReason);
  return keys.length ? keys.map((k) => `${k} ${r.exitedByReason[k]}`).join(', ') : '—';
}

// Enrollments the repair sweep found stranded: started, restarted or closed (none is the healthy case).
function repairsOf(r: JourneyReport): string {
  const byAction = r.repairedByAction || {};
  const keys = Object.keys(byAction);
  return keys.length ? keys.map((k) => `${k} ${byAction[k]}`).join(', ') : 'none stranded';
}

function journeys(app: HTMLElement, d: DashboardData['journeys']): void {
  const rows = d.journeys.map((j) => {
    const r = j.reports.filter((x) => x.version === j.liveVersion)[0] || j.reports[0];
    const href = `/dashboard/journeys?id=${encodeURIComponent(j.journeyId)}`;
    return [
      el('a', { href, 'data-journey': j.journeyId }, j.name),
      badge(j.status),
      j.liveVersion ? `v${j.liveVersion}` : '—',
      r ? count(r.entered) : '—',
      r ? count(r.active) : '—',
      r
        ? el('span', {}, [
            `${count(r.converted.treated)} (${pct(r.conversionRate.treated)})`,
            el('br'),
            el('small', { class: 'muted' }, liftOf(r)),
          ])
        : '—',
      r ? exitsOf(r) : '—',
      r ? el('span', { 'data-repaired': j.journeyId, title: repairsOf(r) }, count(r.repaired || 0)) : '—',
      r ? revenueOf(r) : '—',
      r ? usd(r.cost.total) : '—',
    ];
  });
  clear(app);
  append(app, [
    el('h1', {}, 'Journeys'),
    el('p', { class: 'muted' }, 'Figures are for the live version (else the newest version with a report).'),
    el(
      'div',
      { class: 'panel' },
      table(
        ['Journey', 'Status', 'Live', 'Entered', 'Active', 'Converted', 'Exits', 'Repaired', 'Revenue', 'Cost'],
        rows,
        [3, 4, 7],
        true,
      ),
    ),
  ]);
}

/** Each node's figures from the report: how many enrollments entered it (none yet: 0). */
function nodeFigures(r: JourneyReport, graph: NonNullable<DashboardData['journey']['graph']>): NodeFigures {
  return Object.fromEntries(graph.nodes.map((n) => [n.id, [{ name: 'entered', value: r.nodes[n.id] ?? 0 }]]));
}

function liveCards(live: JourneyReport): HTMLElement {
  return el('div', { class: 'cards' }, [
    card('entered', 'Entered', count(live.entered), `${count(live.holdout)} in holdout`),
    card('active', 'Active', count(live.active)),
    card(
      'converted',
      'Converted',
      count(live.converted.treated),
      `${pct(live.conversionRate.treated)}, ${liftOf(live)}`,
    ),
    card('exits', 'Exited', count(live.exited), exitsOf(live)),
    card('repaired', 'Repaired', count(live.repaired || 0), repairsOf(live)),
    card('revenue', 'Revenue', revenueOf(live)),
    card('cost', 'Cost', usd(live.cost.total), `${count(live.usage.transitions)} transitions`),
  ]);
}

/**
 * The live definition's drawing. Its layout library loads with it, in a chunk of its own, only
 * when a journey is opened.
 */
function definitionPanel(graph: DashboardData['journey']['graph'], live: JourneyReport | undefined): HTMLElement {
  const panel = el('div', { class: 'panel' });
  if (!graph) return el('div', { class: 'panel' }, el('p', { class: 'muted' }, 'Not published.'));
  import('./journey-chart.ts')
    .then(({ journeyChart }) => append(panel, journeyChart(graph, live ? nodeFigures(live, graph) : {})))
    .catch((error: unknown) => showError(panel, error));
  return panel;
}

function journey(app: HTMLElement, d: DashboardData['journey']): void {
  const live = d.reports.filter((r) => r.version === d.liveVersion)[0];
  const versions = d.history.map((v) => [
    `v${v.version}`,
    when(v.publishedAt),
    v.publishedBy,
    v.transitions ? `${v.transitions.min}–${v.transitions.max}` : '—',
    el(
      'ul',
      { class: 'explain' },
      (v.diff || []).map((line) => el('li', {}, line)),
    ),
  ]);
  clear(app);
  append(app, [
    el('p', {}, el('a', { href: '/dashboard/journeys' }, '← All journeys')),
    el('h1', {}, d.name),
    el('p', {}, [
      badge(d.status),
      ' live version ',
      d.liveVersion ? `v${d.liveVersion}` : '—',
      `, latest v${d.latestVersion}`,
    ]),
    live ? liveCards(live) : el('p', { class: 'muted' }, 'No report for the live version yet.'),
    el('h2', {}, 'Live definition'),
    definitionPanel(d.graph, live),
    el('h2', {}, 'Versions'),
    el('div', { class: 'panel' }, table(['Version', 'Published', 'By', 'Transitions', 'Changes'], versions, [], true)),
  ]);
}

/** The journeys list, or with `?id=` one journey: its report, live definition and versions. */
export function journeysPage(app: HTMLElement, params: URLSearchParams): void {
  const id = params.get('id');
  const done = (error: unknown) => showError(app, error);
  if (id)
    load('journey', `?id=${encodeURIComponent(id)}`)
      .then((d) => journey(app, d))
      .catch(done);
  else
    load('journeys')
      .then((d) => journeys(app, d))
      .catch(done);
}
