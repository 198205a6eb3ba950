#!/usr/bin/env node
// The `tend` command. The CLI is TypeScript: it runs from a bundle of it (built with esbuild on
// first use and whenever a source is newer, under node_modules/.cache), which starts in a fraction
// of the time loading every file through tsx takes; without esbuild it runs through tsx's loader.
import { mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(import.meta.dirname, '..');
const bundle = path.join(root, 'node_modules', '.cache', 'tend-cli', 'main.mjs');
/** What the CLI is built from: its own code, the app's and the shipped templates. */
const SOURCES = ['cli', 'shared', 'workflows', 'templates', 'infra/manifest.ts', 'package.json', 'tsconfig.json'];

function newest(entry) {
  const stat = statSync(entry, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const name of readdirSync(entry)) latest = Math.max(latest, newest(path.join(entry, name)));
  return latest;
}

async function fresh() {
  const built = statSync(bundle, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  if (built > Math.max(...SOURCES.map((s) => newest(path.join(root, s))))) return true;
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    return false;
  }
  mkdirSync(path.dirname(bundle), { recursive: true });
  // Another `tend` may be building at the same moment: each writes its own file, then renames.
  const temporary = `${bundle}.${process.pid}.tmp`;
  await esbuild.build({
    entryPoints: [path.join(root, 'cli/main.ts')],
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile: temporary,
    logLevel: 'error',
  });
  renameSync(temporary, bundle);
  return true;
}

if (await fresh()) {
  await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
}
