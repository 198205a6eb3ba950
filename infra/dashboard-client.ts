import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BuildOptions, Metafile, OutputFile, Plugin } from 'esbuild';

/**
 * The dashboard's browser client: shared/dashboard/client/main.ts and the modules it imports,
 * built by esbuild into minified ES modules with hashed names (the entry `main-<hash>.js`, and
 * what it imports with `import()` under `chunks/`). The dashboard function serves them as static
 * files under /dashboard/assets/, cached for good since a new build has new names, and the page
 * shell names the entry in `<script type="module">` (under `script-src 'self'`: nothing inline).
 *
 * The files are never part of the function's cold-start bundle:
 * - deployed: the function's build (infra/bundling.ts, run at synth and by `npm run
 *   bench:functions`) goes through {@link dashboardClientPlugin}, which writes them beside the
 *   handler ({@link CLIENT_DIR}, with {@link CLIENT_MANIFEST}) and swaps the module that builds
 *   them for the one that reads them from there when first asked for
 *   (functions/dashboard/client-files.ts); the function never builds anything.
 * - run from source (`npm start`, the tests' stack, benches): functions/dashboard/client.ts
 *   builds them in memory with {@link buildDashboardClient}; `npm start` builds first, before the
 *   stack starts, so a client that does not compile stops the start.
 */

const ROOT = path.resolve(import.meta.dirname, '..');

/** The client's entry, relative to the repository root. */
export const DASHBOARD_CLIENT_ENTRY = 'shared/dashboard/client/main.ts';

/** The module that gives the dashboard function its client when run from source, relative to the root. */
export const DASHBOARD_CLIENT_MODULE = 'functions/dashboard/client.ts';

/** What takes its place in the function's bundle: the files read from beside the handler. */
const DASHBOARD_CLIENT_FILES_MODULE = 'functions/dashboard/client-files.ts';

/** Beside a bundled dashboard function: the directory of the client's files, named as served. */
export const CLIENT_DIR = 'dashboard-client';

/** Beside a bundled dashboard function: the {@link ClientManifest} of the files in {@link CLIENT_DIR}. */
export const CLIENT_MANIFEST = 'dashboard-client.json';

/** One file of the client, named as served under /dashboard/assets/. */
export interface ClientFile {
  contents: Uint8Array;
  contentType: string;
}

/** The client as built: its entry module, the stylesheets its imports bring, and every file by name. */
export interface ClientBuild {
  /** The entry module's file, `main-<hash>.js`. */
  entry: string;
  /** Stylesheets the modules import (a library's own CSS), to link from the page. */
  styles: string[];
  files: ReadonlyMap<string, ClientFile>;
}

/** What a bundled function reads from {@link CLIENT_MANIFEST}: the build without the contents. */
export interface ClientManifest {
  entry: string;
  styles: string[];
  /** Each file's name and content type. */
  files: Record<string, string>;
}

/** Where the build's output files are placed (never written when run from source). */
const OUTDIR = path.join(ROOT, 'node_modules', '.cache', CLIENT_DIR);

/** ES modules for today's browsers with hashed names: nothing of Node, no `require`. */
export const dashboardClientOptions = {
  absWorkingDir: ROOT,
  entryPoints: [DASHBOARD_CLIENT_ENTRY],
  bundle: true,
  format: 'esm',
  splitting: true,
  entryNames: '[name]-[hash]',
  chunkNames: 'chunks/[name]-[hash]',
  assetNames: 'assets/[name]-[hash]',
  outdir: OUTDIR,
  platform: 'browser',
  target: 'es2020',
  minify: true,
  legalComments: 'none',
  write: false,
  metafile: true,
  logLevel: 'warning',
} satisfies BuildOptions;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.png': 'image/png',
};

const contentTypeOf = (name: string) => CONTENT_TYPES[path.extname(name)] ?? 'application/octet-stream';

/** The served name of an output file: its path under the output directory, with forward slashes. */
const servedName = (file: string) => path.relative(OUTDIR, file).split(path.sep).join('/');

function clientBuild(outputFiles: readonly OutputFile[], metafile: Metafile): ClientBuild {
  const [entryOutput, meta] =
    Object.entries(metafile.outputs).find(([, output]) => output.entryPoint === DASHBOARD_CLIENT_ENTRY) ?? [];
  if (!entryOutput || !meta) throw new Error(`esbuild wrote no entry for ${DASHBOARD_CLIENT_ENTRY}`);
  const files = new Map(
    outputFiles.map((file) => [
      servedName(file.path),
      { contents: file.contents, contentType: contentTypeOf(file.path) },
    ]),
  );
  return {
    entry: servedName(path.resolve(ROOT, entryOutput)),
    styles: meta.cssBundle ? [servedName(path.resolve(ROOT, meta.cssBundle))] : [],
    files,
  };
}

let built: Promise<ClientBuild> | undefined;

/** The dashboard's client, built in memory once per process. */
export function buildDashboardClient(): Promise<ClientBuild> {
  built ??= import('esbuild').then(async ({ build }) => {
    const { outputFiles, metafile } = await build(dashboardClientOptions);
    return clientBuild(outputFiles, metafile);
  });
  return built;
}

/** The manifest a bundled function reads, for this build. */
const clientManifest = (client: ClientBuild): ClientManifest => ({
  entry: client.entry,
  styles: client.styles,
  files: Object.fromEntries([...client.files].map(([name, file]) => [name, file.contentType])),
});

/** Writes the client's files and its manifest into a function's output directory. */
function writeDashboardClient(client: ClientBuild, outdir: string): void {
  for (const [name, file] of client.files) {
    const target = path.join(outdir, CLIENT_DIR, ...name.split('/'));
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, file.contents);
  }
  writeFileSync(path.join(outdir, CLIENT_MANIFEST), JSON.stringify(clientManifest(client)));
}

/**
 * For a function's build: the module that builds the client (functions/dashboard/client.ts)
 * resolves to the one that reads the files (functions/dashboard/client-files.ts), and when the
 * build imported it, the client's files are written beside the bundle.
 */
export const dashboardClientPlugin: Plugin = {
  name: 'dashboard-client',
  setup(build) {
    const source = path.join(ROOT, DASHBOARD_CLIENT_MODULE);
    let imported = false;
    build.onStart(() => {
      imported = false;
    });
    build.onResolve({ filter: /[\\/]client\.ts$/ }, (args) => {
      if (path.resolve(args.resolveDir, args.path) !== source) return undefined;
      imported = true;
      return { path: path.join(ROOT, DASHBOARD_CLIENT_FILES_MODULE) };
    });
    build.onEnd(async (result) => {
      const { outdir, write } = build.initialOptions;
      if (!imported || result.errors.length > 0 || !outdir || write === false) return;
      writeDashboardClient(
        await buildDashboardClient(),
        path.resolve(build.initialOptions.absWorkingDir ?? ROOT, outdir),
      );
    });
  },
};
