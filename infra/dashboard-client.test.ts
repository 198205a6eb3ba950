import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleFunction } from './bundling.ts';
import { buildDashboardClient, DASHBOARD_SCRIPT_MODULE, dashboardClientOptions } from './dashboard-client.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const tmp = mkdtempSync(path.join(tmpdir(), 'tend-dashboard-client-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** About 19 KB minified: room for a feature, not for a library (or server code) pulled in by mistake. */
const BUDGET_BYTES = 24_000;

describe('the dashboard client build', () => {
  it('is one minified browser script within its budget, with nothing of Node or a module system', async () => {
    const script = await buildDashboardClient();

    expect(Buffer.byteLength(script)).toBeGreaterThan(5_000);
    expect(Buffer.byteLength(script)).toBeLessThan(BUDGET_BYTES);
    expect(script.split('\n').length).toBeLessThanOrEqual(2);
    expect(script).toContain('/dashboard/data/');
    for (const pattern of [/\brequire\(/, /\bimport\s*[({]/, /\bexport\s*[{a-z]/, /\bprocess\./, /["'`]node:/]) {
      expect(script, String(pattern)).not.toMatch(pattern);
    }
  });

  it('bundles only the client modules (the server shapes it uses are types)', async () => {
    const { metafile } = await build({ ...dashboardClientOptions, metafile: true });

    const inputs = Object.keys(metafile.inputs);
    expect(inputs).toContain('shared/dashboard/client/main.ts');
    expect(inputs.filter((input) => !input.startsWith('shared/dashboard/client/'))).toEqual([]);
  });

  it('goes into the function bundle as the text the function serves', async () => {
    const entry = path.join(tmp, 'serves.ts');
    const scriptModule = path.join(ROOT, DASHBOARD_SCRIPT_MODULE);
    writeFileSync(entry, `export { DASHBOARD_JS } from ${JSON.stringify(scriptModule)};\n`);

    const metafile = await bundleFunction(ROOT, entry, path.join(tmp, 'out'), new Map());

    expect(
      Object.keys(metafile.inputs).filter((input) => /node_modules\/esbuild\/|infra\/dashboard-client/.test(input)),
    ).toEqual([]);
    const bundle = path.join(tmp, 'out', 'index.mjs');
    const { DASHBOARD_JS } = (await import(pathToFileURL(bundle).href)) as { DASHBOARD_JS: string };
    expect(DASHBOARD_JS).toBe(await buildDashboardClient());
    expect(readFileSync(bundle, 'utf8')).not.toContain('buildDashboardClient');
  });
});
