import { parseOrRefuse } from '#core/parse.ts';
import { apiLambda } from '#platform/authorize.ts';
import { PlatformError } from '#platform/errors.ts';
import { json } from '#platform/http.ts';
import { aggregates } from '#platform/wiring/aggregates.ts';
import { clock } from '#platform/wiring/clock.ts';
import { journeyReport, kpiReport } from '#reports/aggregates.ts';
import { kpiQuerySchema } from '#reports/api.schema.ts';

/**
 * /api/reports: the business owner's KPIs for a period (default: the last 30 days) and the
 * report of every journey version, both from counters kept as events arrive.
 */
export const handler = apiLambda(async (event) => {
  switch (event.routeKey) {
    case 'GET /api/reports/kpis': {
      const query = parseOrRefuse(kpiQuerySchema, event.queryStringParameters ?? {}, 'the query');
      const to = query.to ?? clock.now().toISOString().slice(0, 10);
      const from = query.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
      return json(200, { period: { from, to }, kpis: await kpiReport(aggregates, { from, to }, query.currency) });
    }
    case 'GET /api/reports/journeys':
      return json(200, { journeys: await journeyReport(aggregates) });
    default:
      throw new PlatformError('no_route', `no route ${event.routeKey}`);
  }
});
