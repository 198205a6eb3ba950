import { describe, expect, it } from 'vitest';
import { journeyGraph, lastDays, seriesFrom } from './data.ts';

describe('dashboard data', () => {
  it('lists the last days oldest first, ending today', () => {
    expect(lastDays('2026-03-02', 3)).toEqual(['2026-02-28', '2026-03-01', '2026-03-02']);
  });

  it('turns day counters into net revenue per day and funnel sums', () => {
    const counters = {
      'kpi#day#2026-03-01': { orders: 2, sales_EUR: 10_000, refunds_EUR: 1_000, contacts_new: 3, leads_new: 2 },
      'kpi#day#2026-03-02': { orders: 1, sales_EUR: 5_000, customers_new: 1, customers_repeat: 1 },
    };
    const { series, funnel } = seriesFrom(counters, ['2026-02-28', '2026-03-01', '2026-03-02'], 'EUR');
    expect(series).toEqual([
      { day: '2026-02-28', orders: 0, revenueMinor: 0 },
      { day: '2026-03-01', orders: 2, revenueMinor: 9_000 },
      { day: '2026-03-02', orders: 1, revenueMinor: 5_000 },
    ]);
    expect(funnel).toEqual({ contacts: 3, leads: 2, customers: 1, repeatCustomers: 1 });
  });

  it('lists the nodes start reaches, then the rest, with every edge labelled by its field and arm', () => {
    const graph = journeyGraph({
      start: 'wait',
      nodes: {
        wait: { type: 'wait', duration: { days: 1 }, next: 'check' },
        check: { type: 'branch', condition: { kind: 'tag', tag: 'vip' }, onTrue: 'done', onFalse: 'wait' },
        done: { type: 'exit' },
        orphan: { type: 'exit' },
        pick: {
          type: 'random-split',
          branches: [
            { name: 'A', percent: 50, next: 'done' },
            { name: 'B', percent: 50, next: 'done' },
          ],
        },
      } as never,
    });
    expect(graph.nodes.map((n) => n.id).sort()).toEqual(['check', 'done', 'orphan', 'pick', 'wait']);
    expect(
      graph.nodes
        .slice(0, 3)
        .map((n) => n.id)
        .sort(),
    ).toEqual(['check', 'done', 'wait']);
    expect(graph.edges).toContainEqual({ from: 'check', to: 'wait', label: 'onFalse' });
    expect(graph.edges).toContainEqual({ from: 'wait', to: 'check', label: '' });
  });

  it('names each arm of a split on its edge', () => {
    const graph = journeyGraph({
      start: 'pick',
      nodes: {
        pick: {
          type: 'random-split',
          branches: [
            { name: 'offer', percent: 50, next: 'done' },
            { name: 'control', percent: 50, next: 'done' },
          ],
        },
        done: { type: 'exit' },
      } as never,
    });
    expect(graph.edges.map((e) => e.arm)).toEqual(['offer', 'control']);
  });
});
