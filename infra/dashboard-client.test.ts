import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import type { DashboardClient } from '../functions/dashboard/client-files.ts';
import { bundleFunction } from './bundling.ts';
import {
  buildDashboardClient,
  CLIENT_DIR,
  CLIENT_MANIFEST,
  DASHBOARD_CLIENT_ENTRY,
  DASHBOARD_CLIENT_MODULE,
  dashboardClientOptions,
} from './dashboard-client.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const tmp = mkdtempSync(path.join(tmpdir(), 'tend-dashboard-client-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * What a page loads before it draws (the entry and the chunks it imports statically), about
 * 125 KB minified with its chart and graph layout libraries: room for a feature, not for a
 * library (or server code) pulled in by mistake. A large library a single page needs goes in a
 * chunk of its own, through `import()`.
 */
const ENTRY_BUDGET_BYTES = 180_000;

const text = (contents: Uint8Array) => Buffer.from(contents).toString('utf8');

describe('the dashboard client build', () => {
  it('is minified browser modules with hashed names, within budget, with nothing of Node', async () => {
    const client = await buildDashboardClient();
    const { metafile } = await build(dashboardClientOptions);

    expect(client.entry).toMatch(/^main-[A-Z0-9]{8}\.js$/);
    for (const name of client.files.keys()) expect(name).toMatch(/^(chunks\/)?[\w-]+-[A-Z0-9]{8}\.(js|css)$/);
    const entry = Object.entries(metafile.outputs).find(([, o]) => o.entryPoint === DASHBOARD_CLIENT_ENTRY);
    const atLoad = (entry?.[1].imports ?? []).filter((i) => i.kind === 'import-statement');
    const entryBytes =
      (entry?.[1].bytes ?? 0) + atLoad.reduce((sum, i) => sum + (metafile.outputs[i.path]?.bytes ?? 0), 0);
    expect(entryBytes).toBeGreaterThan(5_000);
    expect(entryBytes).toBeLessThan(ENTRY_BUDGET_BYTES);
    // Modules import only each other: nothing left for the browser to resolve.
    const imports = Object.values(metafile.outputs).flatMap((o) => o.imports);
    expect(imports.filter((i) => i.external || !(i.path in metafile.outputs))).toEqual([]);
    const scripts = [...client.files].filter(([name]) => name.endsWith('.js')).map(([, file]) => text(file.contents));
    expect(scripts.join('')).toContain('/dashboard/data/');
    for (const script of scripts) {
      // Minified: a line break is left only inside a string a library keeps.
      expect(script.split('\n').length).toBeLessThanOrEqual(2 + script.length / 10_000);
      for (const pattern of [/\brequire\(/, /\bprocess\.(env|argv|cwd)\b/, /["'`]node:/]) {
        expect(script, String(pattern)).not.toMatch(pattern);
      }
    }
  });

  it('bundles only the client modules and the libraries they use (the server shapes it uses are types)', async () => {
    const { metafile } = await build(dashboardClientOptions);

    const inputs = Object.keys(metafile.inputs);
    expect(inputs).toContain('shared/dashboard/client/main.ts');
    expect(
      inputs.filter((input) => !input.startsWith('shared/dashboard/client/') && !input.startsWith('node_modules/')),
    ).toEqual([]);
  });

  it('is written beside the function bundle, which reads it from there and carries neither esbuild nor the client', async () => {
    const entry = path.join(tmp, 'serves.ts');
    const clientModule = path.join(ROOT, DASHBOARD_CLIENT_MODULE);
    writeFileSync(entry, `export { loadClient } from ${JSON.stringify(clientModule)};\n`);
    const outdir = path.join(tmp, 'out');
    const client = await buildDashboardClient();

    const metafile = await bundleFunction(ROOT, entry, outdir, new Map());

    expect(
      Object.keys(metafile.inputs).filter((input) => /node_modules\/esbuild\/|infra\/dashboard-client/.test(input)),
    ).toEqual([]);
    const bundled = readdirSync(outdir).filter((file) => file.endsWith('.mjs'));
    const entryText = text(client.files.get(client.entry)?.contents ?? new Uint8Array());
    for (const file of bundled) {
      const code = readFileSync(path.join(outdir, file), 'utf8');
      expect(code).not.toContain('buildDashboardClient');
      expect(code).not.toContain(entryText.slice(0, 200));
    }
    expect(existsSync(path.join(outdir, CLIENT_MANIFEST))).toBe(true);
    for (const [name, file] of client.files) {
      expect(readFileSync(path.join(outdir, CLIENT_DIR, name))).toEqual(Buffer.from(file.contents));
    }
    const { loadClient } = (await import(pathToFileURL(path.join(outdir, 'index.mjs')).href)) as {
      loadClient: () => Promise<DashboardClient>;
    };
    const served = await loadClient();
    expect(served.entry).toBe(client.entry);
    expect(served.styles).toEqual(client.styles);
    const file = await served.file(client.entry);
    expect(file?.contentType).toBe('text/javascript; charset=utf-8');
    expect(text(file?.contents ?? new Uint8Array())).toBe(entryText);
    expect(await served.file('main.js')).toBeUndefined();
    expect(await served.file(`../${CLIENT_MANIFEST}`)).toBeUndefined();
  });
});
