import type { DashboardData } from '../server/data.ts';
import { append, clear, el } from './dom.ts';
import { when } from './format.ts';
import { load } from './load.ts';
import { badge, showError, table } from './widgets.ts';

type Audit = DashboardData['audit'];
type Entry = Audit['entries'][number];

/** The filters the page and the data route share (the API's `GET /api/audit` takes the same). */
const FILTERS = ['actor', 'target'] as const;

/** Who did it: a user (and which of their tokens), or the admin token. */
function actor(a: Entry['actor']): HTMLElement {
  const who =
    a.kind === 'admin-token' ? 'admin token' : a.kind === 'api-key' ? 'API key' : (a.email ?? a.userId ?? '—');
  return el('span', { 'data-actor': a.kind }, [
    who,
    a.tokenName ? el('span', { class: 'muted' }, ` (token "${a.tokenName}")`) : null,
    a.role ? ' ' : null,
    a.role ? badge(a.role) : null,
  ]);
}

function filters(params: URLSearchParams): HTMLElement {
  return el('form', { class: 'search', method: 'get', action: '/dashboard/audit', 'data-form': 'audit' }, [
    el('input', {
      name: 'actor',
      placeholder: 'who: an email, a user id or admin-token',
      value: params.get('actor') ?? '',
      'aria-label': 'Who',
    }),
    el('input', {
      name: 'target',
      placeholder: 'what: journey:, user:… or a prefix',
      value: params.get('target') ?? '',
      'aria-label': 'What',
    }),
    el('button', { type: 'submit' }, 'Filter'),
  ]);
}

/** The link to the next (older) page, with the same filters. */
function older(params: URLSearchParams, cursor: string): HTMLElement {
  const next = new URLSearchParams();
  for (const name of FILTERS) {
    const value = params.get(name);
    if (value) next.set(name, value);
  }
  next.set('cursor', cursor);
  return el('p', {}, el('a', { href: `/dashboard/audit?${next}`, 'data-audit': 'older' }, 'Older entries →'));
}

function render(app: HTMLElement, params: URLSearchParams, d: Audit): void {
  const rows = d.entries.map((e) => [
    el('span', { class: 'whole', 'data-audit-at': e.auditId }, when(e.at)),
    actor(e.actor),
    el('span', { class: 'mono whole', 'data-audit-action': e.auditId }, e.action),
    el('span', { class: 'mono keep' }, e.target),
    el('span', { 'data-audit-summary': e.auditId }, e.summary),
    el('span', { class: 'muted', title: e.userAgent ?? '' }, e.ip ?? '—'),
  ]);
  clear(app);
  append(app, [
    el('h1', {}, 'Audit log'),
    el(
      'p',
      { class: 'muted' },
      'Every change, export and erase, and every sign-in, newest first. Nothing removes an entry.',
    ),
    filters(params),
    d.entries.length
      ? el('div', { class: 'panel' }, table(['When', 'Who', 'Action', 'Target', 'What', 'From'], rows, [], true))
      : el('p', { class: 'muted', 'data-empty': 'audit' }, 'No entries match.'),
    d.cursor ? older(params, d.cursor) : null,
  ]);
}

/** The audit log, fifty entries a page, filtered by who and what (admins only: the server refuses others). */
export function auditPage(app: HTMLElement, params: URLSearchParams): void {
  const query = new URLSearchParams();
  for (const name of [...FILTERS, 'cursor']) {
    const value = params.get(name);
    if (value) query.set(name, value);
  }
  const search = query.size ? `?${query}` : '';
  load('audit', search)
    .then((d) => render(app, params, d))
    .catch((error: unknown) => showError(app, error));
}
