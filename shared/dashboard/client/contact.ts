import type { DashboardData } from '../server/data.ts';
import { append, type Child, clear, el } from './dom.ts';
import { pathButton } from './enrollment-path.ts';
import { when } from './format.ts';
import { load } from './load.ts';
import { badge, showError, table } from './widgets.ts';

type Contact = DashboardData['contact'];

function scoreCard(key: string, title: string, headline: string, score: { explanation?: string[] }): HTMLElement {
  return el('div', { class: 'card', 'data-score': key }, [
    el('div', { class: 'label' }, title),
    el('div', { class: 'value' }, headline),
    el(
      'ul',
      { class: 'explain' },
      (score.explanation || []).map((line) => el('li', {}, line)),
    ),
  ]);
}

function contactSearch(value: string | null): HTMLElement {
  return el('form', { class: 'search', method: 'get', action: '/dashboard/contact' }, [
    el('input', {
      name: 'email',
      type: 'email',
      placeholder: 'email@example.com',
      value: value || '',
      'aria-label': 'Email',
    }),
    el('button', { type: 'submit' }, 'Find'),
  ]);
}

function profile(c: Contact['contact']): HTMLElement {
  const fields: Child[][] = [
    ['Email', c.email || '—'],
    ['Phone', c.phone || '—'],
    ['Contact id', el('span', { class: 'mono' }, c.contactId)],
    ['Created', when(c.createdAt)],
    ['Unsubscribed', c.unsubscribedAt ? when(c.unsubscribedAt) : 'no'],
  ];
  const properties = c.properties || {};
  for (const k of Object.keys(properties)) {
    const v = properties[k];
    fields.push([k, typeof v === 'object' ? JSON.stringify(v) : String(v)]);
  }
  return table(['Field', 'Value'], fields);
}

function segmentsPanel(d: Contact): HTMLElement {
  if (!d.segments.length) return el('p', { class: 'muted' }, 'In no segment.');
  const rows = d.segments.map((m) => [
    el('a', { href: `/dashboard/segments?id=${encodeURIComponent(m.segmentId)}` }, m.segmentId),
    when(m.enteredAt),
  ]);
  return table(['Segment', 'Member since'], rows);
}

function enrollmentsPanel(d: Contact): HTMLElement {
  if (!d.enrollments.length) return el('p', { class: 'muted' }, 'Not in any journey.');
  const rows = d.enrollments.map((e) => [
    `${e.journeyId} v${e.journeyVersion}`,
    el('span', {}, [badge(e.status), e.exitReason && e.exitReason !== e.status ? ` ${e.exitReason}` : '']),
    when(e.enteredAt),
    when(e.endedAt),
    e.executionArn ? pathButton(d.contact.contactId, e.enrollmentId) : '—',
    el('span', { class: 'mono', 'data-arn': e.enrollmentId }, e.executionArn || '—'),
  ]);
  return table(['Journey', 'Status', 'Entered', 'Ended', 'Path', 'Execution ARN'], rows, [], true);
}

function timeline(d: Contact): HTMLElement {
  const rows = d.timeline.map((e) => {
    const details = JSON.stringify(e.data);
    const shown = details.length > 160 ? `${details.slice(0, 159)}…` : details;
    return [when(e.at), e.name, el('span', { class: 'mono' }, shown)];
  });
  return table(['When', 'Event', 'Details'], rows, [], true);
}

function contact(app: HTMLElement, d: Contact): void {
  const c = d.contact;
  const s = d.scores;
  const name = [c.firstName, c.lastName].filter(Boolean).join(' ');
  clear(app);
  append(app, [
    contactSearch(c.email),
    el('h1', { 'data-contact': 'name' }, name || c.email || c.contactId),
    el('div', { class: 'panel' }, profile(c)),
    el('h2', {}, 'Scores'),
    el('div', { class: 'cards' }, [
      scoreCard('rfm', 'RFM', s.rfm.segment, s.rfm),
      scoreCard('churn', 'Churn risk', s.churn.level, s.churn),
      scoreCard('lead', 'Lead score', String(s.lead.total), s.lead),
      scoreCard('loyalty', 'Loyalty', `${s.loyalty.tier} · ${s.loyalty.points} pts`, s.loyalty),
    ]),
    el('h2', {}, 'Segments'),
    el('div', { class: 'panel', 'data-contact': 'segments' }, segmentsPanel(d)),
    el('h2', {}, 'Journeys'),
    el('div', { class: 'panel' }, enrollmentsPanel(d)),
    el('div', { id: 'path' }),
    el('h2', {}, 'Timeline'),
    el('div', { class: 'panel' }, timeline(d)),
  ]);
}

/** A contact found by `?email=`: profile, scores, segments, journeys (with their paths) and timeline. */
export function contactPage(app: HTMLElement, params: URLSearchParams): void {
  const email = params.get('email');
  if (email)
    load('contact', `?email=${encodeURIComponent(email)}`)
      .then((d) => contact(app, d))
      .catch((error: unknown) => {
        showError(app, error);
        app.insertBefore(contactSearch(email), app.firstChild);
      });
  else {
    clear(app);
    append(app, [el('h1', {}, 'Contact'), contactSearch('')]);
  }
}
