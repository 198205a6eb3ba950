import { buildDashboardClient } from '#infra/dashboard-client.ts';
import type { DashboardClient } from './client-files.ts';

/**
 * The dashboard's browser client (shared/dashboard/client/) run from source (`npm start`, the
 * tests' stack): built in memory once per process, by infra/dashboard-client.ts. In the
 * function's Lambda bundle this module is replaced by ./client-files.ts, which reads the same
 * files from beside the handler, so esbuild and the client never load at cold start.
 */
export async function loadClient(): Promise<DashboardClient> {
  const client = await buildDashboardClient();
  return { entry: client.entry, styles: client.styles, file: async (name) => client.files.get(name) };
}
