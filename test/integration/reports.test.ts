import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { adminCall, drained, eventually, postWebhook, uniqueEmail } from '../support/local.ts';

/** The reports read counters that the aggregate-events consumer keeps as timeline events land. */
describe('reports', () => {
  const today = new Date().toISOString().slice(0, 10);
  // Only this test sells in Swiss francs, so its figures are exact whatever else runs meanwhile.
  const kpis = async () =>
    (await adminCall('GET', `/api/reports/kpis?from=${today}&to=${today}&currency=CHF`)).json.kpis;

  it('counts each order once in the day’s KPIs, a replayed webhook included', async () => {
    const email = uniqueEmail('reports');
    const order = (orderId: string, amountMinor: number) =>
      JSON.stringify({
        type: 'order.placed',
        data: { email, orderId, total: { amountMinor, currency: 'CHF' }, lineItems: [] },
      });
    const id = `msg_${randomUUID()}`;
    expect((await postWebhook({ id, body: order('r-1', 4000) })).status).toBe(202);
    expect((await postWebhook({ id, body: order('r-1', 4000) })).status).toBe(200);
    expect((await postWebhook({ body: order('r-2', 6000) })).status).toBe(202);

    const after = await eventually('both orders counted', async () => {
      const now = await kpis();
      return now.revenue.salesMinor >= 10_000 ? now : undefined;
    });
    // Everything processed: a late (double) count would be in by now.
    await drained();
    const settled = await kpis();
    expect(settled.revenue).toMatchObject({ currency: 'CHF', salesMinor: 10_000, refundsMinor: 0, netMinor: 10_000 });
    expect(settled.averageOrderValueMinor).toBe(5000);
    expect(after.revenue.salesMinor).toBe(10_000);
  });

  it('refuses a malformed period with a 422 naming it', async () => {
    const res = await adminCall('GET', '/api/reports/kpis?from=yesterday');
    expect(res.status).toBe(422);
    expect(res.json.error.message).toContain('from');
  });

  it('reports journeys by version, the loyalty journey entered by orders', async () => {
    // Orders enter loyalty: points (a step), the tier split, then a Wait the split leads to.
    const report = await eventually('a loyalty report with node counts', async () => {
      const { json } = await adminCall('GET', '/api/reports/journeys');
      const loyalty = json.journeys.find((j: { journeyId: string }) => j.journeyId === 'loyalty');
      return loyalty?.nodes?.['wait-for-delivery'] > 0 ? loyalty : undefined;
    });
    expect(report).toMatchObject({ version: 1, holdout: 0 });
    expect(report.entered).toBeGreaterThan(0);
    expect(report.nodes.points).toBeGreaterThanOrEqual(report.nodes['wait-for-delivery']);
    expect(report.usage.transitions).toBeGreaterThan(0);
    expect(report.cost.total).toBeGreaterThan(0);
  });
});
