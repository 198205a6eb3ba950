import path from 'node:path';
import type { BuildOptions, Plugin } from 'esbuild';

/**
 * The dashboard's browser script: shared/dashboard/client/main.ts and the modules it imports,
 * bundled by esbuild into one minified script for the browser, which the dashboard function
 * serves as /dashboard/app.js (under `script-src 'self'`: a file of its own, nothing inline).
 *
 * The function holds the script as text, built from the TypeScript whenever the function is:
 * - deployed: its Lambda bundle (infra/bundling.ts, run at synth and by `npm run
 *   bench:functions`) loads functions/dashboard/client-script.ts through {@link dashboardClientPlugin},
 *   which puts the built script there as a string constant; the function never builds anything.
 * - run from source (`npm start`, the tests' stack, benches): that module builds it on import
 *   with {@link buildDashboardClient}; `npm start` builds it first, before the stack starts, so a
 *   client that does not compile stops the start and the first page does not wait for it.
 */

const ROOT = path.resolve(import.meta.dirname, '..');

/** The client's entry, relative to the repository root. */
export const DASHBOARD_CLIENT_ENTRY = 'shared/dashboard/client/main.ts';

/** The module that exports the built script to the dashboard function, relative to the repository root. */
export const DASHBOARD_SCRIPT_MODULE = 'functions/dashboard/client-script.ts';

/** One self-contained script for today's browsers: no imports, no `require`, nothing of Node. */
export const dashboardClientOptions = {
  absWorkingDir: ROOT,
  entryPoints: [DASHBOARD_CLIENT_ENTRY],
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2020',
  minify: true,
  legalComments: 'none',
  write: false,
  logLevel: 'warning',
} satisfies BuildOptions;

let built: Promise<string> | undefined;

/** The dashboard's script, built once per process. */
export function buildDashboardClient(): Promise<string> {
  built ??= import('esbuild').then(async ({ build }) => {
    const { outputFiles } = await build(dashboardClientOptions);
    const [script] = outputFiles;
    if (!script) throw new Error(`esbuild wrote nothing for ${DASHBOARD_CLIENT_ENTRY}`);
    return script.text;
  });
  return built;
}

/** For a function's build: the script module becomes `export const DASHBOARD_JS = "<the built script>"`. */
export const dashboardClientPlugin: Plugin = {
  name: 'dashboard-client',
  setup(build) {
    const file = path.join(ROOT, DASHBOARD_SCRIPT_MODULE);
    build.onLoad({ filter: /[\\/]client-script\.ts$/ }, async (args) =>
      args.path === file
        ? { contents: `export const DASHBOARD_JS = ${JSON.stringify(await buildDashboardClient())};`, loader: 'js' }
        : undefined,
    );
  },
};
