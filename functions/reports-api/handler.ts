import * as z from 'zod';
import { parseOrRefuse } from '#core/parse.ts';
import { requireAdmin } from '#platform/admin.ts';
import { PlatformError } from '#platform/errors.ts';
import { httpLambda, json } from '#platform/http.ts';
import { aggregates } from '#platform/wiring/aggregates.ts';
import { clock } from '#platform/wiring/clock.ts';
import { journeyReport, kpiReport } from '#reports/aggregates.ts';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a day as YYYY-MM-DD');
const kpiQuery = z
  .object({
    from: day.optional(),
    to: day.optional(),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .optional(),
  })
  .strict()
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: '"from" must not be after "to"', path: ['to'] });

/**
 * /api/reports: the business owner's KPIs for a period (default: the last 30 days) and the
 * report of every journey version, both from counters kept as events arrive.
 */
export const handler = httpLambda(async (event) => {
  await requireAdmin(event);
  switch (event.routeKey) {
    case 'GET /api/reports/kpis': {
      const query = parseOrRefuse(kpiQuery, event.queryStringParameters ?? {}, 'the query');
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
