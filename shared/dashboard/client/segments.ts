import type { DashboardData } from '../server/data.ts';
import { segmentsChart } from './charts.ts';
import { append, clear, el } from './dom.ts';
import { count, when } from './format.ts';
import { load } from './load.ts';
import { card, showError, table } from './widgets.ts';

type Segment = DashboardData['segment']['segment'];

/** The last re-evaluation: how far a running one got, or what a finished one changed. */
function reevaluationOf(s: Segment): string {
  const r = s.reevaluation;
  if (!r) return '—';
  const who = r.scope === 'members' ? 'members' : 'all contacts';
  if (r.status === 'running') return `r${r.revision}: checking ${who}, ${count(r.scanned)} so far`;
  const checked = `${count(r.scanned)}${r.scope === 'members' ? ' member' : ' contact'}${r.scanned === 1 ? '' : 's'}`;
  return `r${r.revision}: ${checked} checked, +${count(r.entered)} −${count(r.exited)}`;
}

function segments(app: HTMLElement, d: DashboardData['segments']): void {
  const rows = d.segments.map((x) => [
    el('a', { href: `/dashboard/segments?id=${encodeURIComponent(x.id)}`, 'data-segment': x.id }, x.name),
    x.rule,
    el('span', { 'data-segment-count': x.id }, count(x.members)),
    `r${x.revision}`,
    when(x.updatedAt),
    reevaluationOf(x),
  ]);
  const headers = ['Segment', 'Rule', 'Members', 'Revision', 'Changed', 'Last re-evaluation'];
  clear(app);
  append(app, [
    el('h1', {}, 'Segments'),
    el(
      'p',
      { class: 'muted' },
      'Memberships are kept current as events arrive; a rule change re-checks only the contacts it can move.',
    ),
    d.segments.length
      ? el('div', { class: 'panel' }, segmentsChart(d.segments))
      : el(
          'p',
          { class: 'muted', 'data-empty': 'segments' },
          'No segments yet. Save one with "tend segments save <file.json>" or PUT /api/segments/<id>.',
        ),
    d.segments.length ? el('div', { class: 'panel' }, table(headers, rows, [2], true)) : null,
  ]);
}

function members(d: DashboardData['segment']): HTMLElement {
  if (!d.members.length) return el('p', { class: 'muted' }, 'Nobody is in this segment now.');
  const rows = d.members.map((m) => [
    m.email
      ? el(
          'a',
          { href: `/dashboard/contact?email=${encodeURIComponent(m.email)}`, 'data-member': m.contactId },
          m.email,
        )
      : el('span', { class: 'mono', 'data-member': m.contactId }, m.contactId),
    when(m.enteredAt),
    `r${m.revision}`,
  ]);
  return table(['Contact', 'Member since', 'Admitted by'], rows, [], true);
}

function segment(app: HTMLElement, d: DashboardData['segment']): void {
  const s = d.segment;
  clear(app);
  append(app, [
    el('p', {}, el('a', { href: '/dashboard/segments' }, '← All segments')),
    el('h1', {}, s.name),
    el('p', { 'data-segment-rule': s.id }, s.rule),
    s.description ? el('p', { class: 'muted' }, s.description) : null,
    el('div', { class: 'cards' }, [
      card('members', 'Members', count(s.members)),
      card('revision', 'Revision', `r${s.revision}`, `by ${s.updatedBy}, ${when(s.updatedAt)}`),
      card('reevaluation', 'Last re-evaluation', s.reevaluation ? s.reevaluation.status : '—', reevaluationOf(s)),
    ]),
    el('h2', {}, 'Members'),
    el('div', { class: 'panel' }, members(d)),
    d.more
      ? el('p', { class: 'muted' }, `The first 50 members; "tend segments members ${s.id}" pages through them all.`)
      : null,
  ]);
}

/** The segments with their member counts, or with `?id=` one segment and its first members. */
export function segmentsPage(app: HTMLElement, params: URLSearchParams): void {
  const id = params.get('id');
  const done = (error: unknown) => showError(app, error);
  if (id)
    load('segment', `?id=${encodeURIComponent(id)}`)
      .then((d) => segment(app, d))
      .catch(done);
  else
    load('segments')
      .then((d) => segments(app, d))
      .catch(done);
}
