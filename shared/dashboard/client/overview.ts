import type { DashboardData } from '../server/data.ts';
import { cohortChart, fitWidth, funnelChart, seriesChart } from './charts.ts';
import { append, clear, el } from './dom.ts';
import { count, money, pct } from './format.ts';
import { load } from './load.ts';
import { DEFAULT_OVERVIEW_DAYS, OVERVIEW_PERIODS } from './periods.ts';
import { card, rateSub, showError, table } from './widgets.ts';

type Overview = DashboardData['overview'];

const EMAIL_STEPS = ['delivered', 'opened', 'clicked', 'unsubscribed', 'bounced', 'complained'] as const;

/** The period and currency of the overview: a plain GET form, so the choice is in the URL. */
function periodForm(d: Overview, cur: string | null, params: URLSearchParams): HTMLElement {
  const days = params.get('days') || String(DEFAULT_OVERVIEW_DAYS);
  const currencies = [cur, ...d.kpis.revenue.others.map((o) => o.currency)].filter((c): c is string => Boolean(c));
  return el('form', { class: 'search', method: 'get', action: '/dashboard', 'data-form': 'period' }, [
    el(
      'select',
      { name: 'days', 'aria-label': 'Period' },
      OVERVIEW_PERIODS.map((n) => {
        const option = el('option', { value: n }, `Last ${n} days`);
        if (String(n) === days) option.setAttribute('selected', '');
        return option;
      }),
    ),
    currencies.length > 1
      ? el(
          'select',
          { name: 'currency', 'aria-label': 'Currency' },
          currencies.map((c) => {
            const option = el('option', { value: c }, c);
            if (c === cur) option.setAttribute('selected', '');
            return option;
          }),
        )
      : null,
    el('button', { type: 'submit' }, 'Show'),
  ]);
}

/**
 * What the churn rate counts: cancellations in the period over the subscriptions active at its
 * start. With none active then there is no rate, only the cancellations (of subscriptions that
 * started within the period).
 */
function churnSub(r: Overview['kpis']['churn']): string {
  const cancelled = `${count(r.count)} cancelled`;
  if (r.of > 0) return `${cancelled} of ${count(r.of)} active at the start`;
  return `${cancelled}; none were active at the start`;
}

function emailTable(k: Overview['kpis']): HTMLElement {
  const rows = EMAIL_STEPS.map((f) => [
    f.charAt(0).toUpperCase() + f.slice(1),
    count(k.email[f].count),
    pct(k.email[f].rate),
  ]);
  return table(['', 'Count', 'Rate'], [['Sent', count(k.email.sent), ''], ...rows], [1, 2]);
}

function overview(app: HTMLElement, d: Overview, params: URLSearchParams): void {
  const k = d.kpis;
  const cur = k.revenue.currency;
  const others = k.revenue.others.map((o) => money(o.amountMinor, o.currency)).join(', ');
  const revenueSub = others ? `also ${others}` : cur ? `refunds ${money(k.revenue.refundsMinor, cur)}` : '';
  clear(app);
  append(app, [
    el('h1', {}, 'Overview'),
    periodForm(d, cur, params),
    el(
      'p',
      { class: 'muted', 'data-period': `${d.period.from}/${d.period.to}` },
      `${d.period.from} to ${d.period.to} (UTC)`,
    ),
    el('div', { class: 'cards' }, [
      card('newContacts', 'New contacts', count(k.newContacts)),
      card('newLeads', 'New leads', count(k.newLeads)),
      card('leadToCustomer', 'Lead → customer', pct(k.leadToCustomer.rate), rateSub(k.leadToCustomer)),
      card('revenue', 'Revenue (net)', money(k.revenue.netMinor, cur), revenueSub),
      card('orders', 'Orders', count(k.orders)),
      card('aov', 'Average order value', money(k.averageOrderValueMinor, cur)),
      card(
        'repeatPurchase',
        'Repeat purchase',
        pct(k.repeatPurchase.rate),
        `${rateSub(k.repeatPurchase)} customers, all time`,
      ),
      card('churn', 'Subscription churn', pct(k.churn.rate), churnSub(k.churn)),
      card('clv', 'Customer lifetime value', money(k.historicClvMinor, cur), 'historic, all time'),
      card(
        'nps',
        'NPS',
        k.nps.score === null ? '—' : String(Math.round(k.nps.score)),
        `${count(k.nps.responses)} responses`,
      ),
    ]),
    el('h2', {}, 'Revenue and orders per day'),
    el('div', { class: 'panel' }, seriesChart(d.series, cur, fitWidth(app, 1100))),
    el('div', { class: 'grid2' }, [
      el('div', {}, [el('h2', {}, 'Funnel (the period)'), el('div', { class: 'panel' }, funnelChart(d.funnel))]),
      el('div', {}, [el('h2', {}, 'Email'), el('div', { class: 'panel' }, emailTable(k))]),
    ]),
    el('h2', {}, 'Retention by first-order month'),
    el(
      'div',
      { class: 'panel' },
      k.cohorts.length ? cohortChart(k.cohorts) : el('p', { class: 'muted' }, 'No customers yet.'),
    ),
  ]);
}

/** The overview: KPIs, the daily series, the funnel, email and retention for the period in the URL. */
export function overviewPage(app: HTMLElement, params: URLSearchParams): void {
  const period = new URLSearchParams();
  const days = params.get('days');
  const currency = params.get('currency');
  if (days) period.set('days', days);
  if (currency) period.set('currency', currency);
  load('overview', period.toString() ? `?${period.toString()}` : '')
    .then((d) => overview(app, d, params))
    .catch((error: unknown) => showError(app, error));
}
