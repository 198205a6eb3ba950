import { buildDashboardClient } from '#infra/dashboard-client.ts';

/**
 * The dashboard's browser script (shared/dashboard/client/), served as /dashboard/app.js. In the
 * function's Lambda bundle this module is the built script itself, a string constant; run from
 * source, it is built here when the handler is first imported (see infra/dashboard-client.ts).
 */
export const DASHBOARD_JS: string = await buildDashboardClient();
