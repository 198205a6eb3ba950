import type { Rate } from '#reports/kpis.ts';
import { append, type Child, clear, el } from './dom.ts';
import { count } from './format.ts';

/** Cards, tables, badges and legends the pages share. */

/** A KPI card; its value carries `data-kpi` for the tests and anyone scraping the page. */
export function card(key: string, label: string, value: string, sub?: string): HTMLElement {
  return el('div', { class: 'card' }, [
    el('div', { class: 'label' }, label),
    el('div', { class: 'value', 'data-kpi': key }, value),
    sub ? el('div', { class: 'sub' }, sub) : null,
  ]);
}

/** "3 of 12" under a rate. */
export function rateSub(r: Rate | null | undefined): string {
  return r ? `${count(r.count)} of ${count(r.of)}` : '';
}

/**
 * A table; `numeric` lists the columns aligned right, and a `stack` table becomes one block per
 * row on a phone, each cell labelled with its header (`data-label`).
 */
export function table(
  headers: readonly string[],
  rows: readonly (readonly Child[])[],
  numeric: readonly number[] = [],
  stack = false,
): HTMLTableElement {
  return el('table', { class: stack ? 'stack' : null }, [
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        headers.map((h, i) => el('th', { class: numeric.includes(i) ? 'num' : null }, h)),
      ),
    ),
    el(
      'tbody',
      {},
      rows.map((row) =>
        el(
          'tr',
          {},
          row.map((cell, i) =>
            el('td', { class: numeric.includes(i) ? 'num' : null, 'data-label': headers[i] || null }, cell),
          ),
        ),
      ),
    ),
  ]);
}

/** A status as a coloured badge (its class is the status, letters and dashes only). */
export function badge(status: string): HTMLElement {
  return el('span', { class: `badge ${String(status).replace(/[^a-z-]/g, '')}` }, status);
}

/** Replaces `node`'s content with the error's message, as an alert. */
export function showError(node: Node, error: unknown): void {
  clear(node);
  append(node, el('p', { class: 'error', role: 'alert' }, error instanceof Error ? error.message : String(error)));
}
