import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { BuildOptions, Metafile, Plugin } from 'esbuild';
import { dashboardClientPlugin } from './dashboard-client.ts';
import {
  buildSdkLayer,
  esmOptions,
  LAYER_NODE_MODULES,
  SDK_LAYER_PACKAGE,
  type SdkImports,
  sdkImports,
  sdkPlugin,
} from './sdk-layer.ts';

/** Lets the ESM bundle `require`: the SDK (./sdk-layer.ts) and the X-Ray SDK's built-ins. */
const ESM_REQUIRE_BANNER =
  "import { createRequire as topLevelCreateRequire } from 'node:module'; const require = topLevelCreateRequire(import.meta.url);";

/**
 * The X-Ray SDK and cls-hooked (its context library, which brings its own semver 5) each load
 * all of `semver` for one `semver.gte` call; loading it builds some forty regular expressions,
 * about 10 ms of every cold start. Here `semver` is a module with the package's own `gte`, which
 * needs a few of them, and anything else from the whole package, loaded if ever asked for.
 */
const semverGte: Plugin = {
  name: 'semver-gte',
  setup(build) {
    build.onResolve({ filter: /^semver$/ }, () => ({ path: 'semver', namespace: 'semver-gte' }));
    build.onLoad({ filter: /.*/, namespace: 'semver-gte' }, () => ({
      contents: [
        "const gte = require('semver/functions/gte.js');",
        'let all;',
        "module.exports = new Proxy({ gte }, { get: (own, key) => (key in own ? own : (all ??= require('semver/index.js')))[key] });",
      ].join('\n'),
      loader: 'js',
      resolveDir: build.initialOptions.absWorkingDir ?? process.cwd(),
    }));
  },
};

/** The file Lambda loads (`index.handler`); lazily loaded parts go beside it under `chunks/`. */
export const lambdaBundleFile = 'index.mjs';

/** Node options every function runs with: source-mapped stack traces in the logs. */
export const lambdaNodeOptions = '--enable-source-maps';

/**
 * How every function is bundled: minified ESM for Node 22, a linked source map beside each file
 * (without the sources, so stack traces map back to our files without the map's weight), and
 * code splitting, so what a handler imports with `import()` (MJML on template save, the journey
 * simulator, each shipped template) is a chunk loaded when first used instead of at cold start.
 * The AWS SDK is not in the bundle: it comes from the SDK layer (./sdk-layer.ts). Nor is the
 * dashboard's browser client: its files are written beside the dashboard's handler, which reads
 * them when first asked for (./dashboard-client.ts). The CDK stack and `npm run bench:functions`
 * both build with this, so the sizes the bench reports are the deployed ones.
 */
export function lambdaEsbuildOptions(entry: string, outdir: string, imports: SdkImports): BuildOptions {
  return {
    ...esmOptions,
    banner: { js: ESM_REQUIRE_BANNER },
    sourcemap: 'linked',
    sourcesContent: false,
    entryPoints: { index: entry },
    outdir,
    // TypeScript stays out: MJML's minifier reaches it only to read a `.ts` config file, which a
    // function never has, and it would add 3.5 MB to the templates API.
    external: ['typescript'],
    plugins: [sdkPlugin(imports), semverGte, dashboardClientPlugin],
  };
}

/**
 * Bundles one function (entry relative to `root`) into `outdir`; resolves with esbuild's
 * metafile. `imports` is what the app imports from the SDK (read from the sources when not given).
 */
export async function bundleFunction(
  root: string,
  entry: string,
  outdir: string,
  imports?: SdkImports,
): Promise<Metafile> {
  const { build } = await import('esbuild');
  const options = lambdaEsbuildOptions(entry, outdir, imports ?? sdkImports(root));
  return (await build({ ...options, absWorkingDir: root, metafile: true })).metafile;
}

/** Builds the SDK layer's contents into `outdir`, laid out as a layer zip (`nodejs/node_modules/…`). */
export async function bundleSdkLayer(root: string, outdir: string, imports?: SdkImports): Promise<Metafile> {
  const dir = path.join(outdir, LAYER_NODE_MODULES, SDK_LAYER_PACKAGE);
  return buildSdkLayer(root, dir, imports ?? sdkImports(root));
}

/**
 * The command line that bundles one function (or with no entry, the SDK layer), run from the
 * repository root.
 */
export const bundleCommand = (entry: string | undefined, outdir: string): string[] => [
  'node',
  '--import',
  'tsx',
  path.relative(process.cwd(), import.meta.filename),
  ...(entry ? ['--entry', entry] : ['--sdk-layer']),
  '--outdir',
  outdir,
];

/**
 * The same builds, synchronously in a child process: CDK's local bundling hook is synchronous,
 * and esbuild runs plugins only in its asynchronous API.
 */
export function bundleSync(root: string, entry: string | undefined, outdir: string): void {
  const [, ...args] = bundleCommand(entry, outdir);
  execFileSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  const { values } = parseArgs({
    options: { entry: { type: 'string' }, 'sdk-layer': { type: 'boolean' }, outdir: { type: 'string' } },
  });
  if (!values.outdir || !values.entry === !values['sdk-layer']) {
    throw new Error('usage: infra/bundling.ts (--entry <handler.ts> | --sdk-layer) --outdir <dir>');
  }
  if (values.entry) await bundleFunction(process.cwd(), values.entry, values.outdir);
  else await bundleSdkLayer(process.cwd(), values.outdir);
}
