import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BuildOptions, Metafile, Plugin } from 'esbuild';

/**
 * The AWS SDK as the functions use it, in a Lambda layer of its own.
 *
 * The SDK v3 packages are CommonJS: `require('@aws-sdk/client-dynamodb')` compiles and runs about
 * 900 KB of source (every command, waiter and protocol) on each cold start, the largest part of
 * a function's init (BENCHMARKS.md). Bundled by esbuild, keeping only what the app imports, it
 * is a fraction of that; but bundled into each function it would take every one over 400 KB.
 * So it is built once, as ES modules with the code the clients share in common chunks, into a
 * layer (`/opt/nodejs/node_modules/tend-aws-sdk`) that every function carries. A function
 * `require`s the clients it uses from there (Node resolves `/opt/nodejs/node_modules` for
 * `require` on Lambda; an ESM `import` would not look there), and only those load at cold start.
 * The layer also pins the SDK to the version the tests ran, where the runtime's could change.
 */

/** The layer's package name; on Lambda it is `/opt/nodejs/node_modules/tend-aws-sdk`. */
export const SDK_LAYER_PACKAGE = 'tend-aws-sdk';

/** Where a layer's Node.js packages go in its zip, so that Lambda extracts them under `/opt/nodejs/node_modules`. */
export const LAYER_NODE_MODULES = path.join('nodejs', 'node_modules');

/** Folders whose code functions are built from; tests and contracts are left out. */
const APP_DIRS = ['functions', 'shared', 'workflows'];

/** What the app imports from each `@aws-sdk/*` package: package name (`client-dynamodb`) → value names. */
export type SdkImports = ReadonlyMap<string, readonly string[]>;

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(file);
    else if (/\.ts$/.test(entry.name) && !/\.(test|contract)\.ts$/.test(entry.name)) yield file;
  }
}

/** An import declaration from an SDK package: `import [type] { names } from '@aws-sdk/...'`. */
const NAMED_IMPORT = /import\s+(type\s+)?\{([^}]*)\}\s*from\s*'@aws-sdk\/([^']+)'/g;
/** Any other import of an SDK package (default, namespace or side effect only). */
const OTHER_IMPORT = /import\s+(?!type\s*\{|\{)[^'"]*?['"]@aws-sdk\/|import\s*\(\s*['"]@aws-sdk\//;

/**
 * Every value the app's code imports from an `@aws-sdk/*` package (type-only imports aside).
 * Imports are Biome-formatted named imports; anything else is refused, since it would need the
 * whole package. A name missed here fails the function's build: the layer stub has no such export.
 */
export function sdkImports(root: string): SdkImports {
  const found = new Map<string, Set<string>>();
  for (const dir of APP_DIRS) {
    for (const file of sourceFiles(path.join(root, dir))) {
      const text = readFileSync(file, 'utf8');
      if (!text.includes('@aws-sdk/')) continue;
      if (OTHER_IMPORT.test(text)) {
        throw new Error(
          `${path.relative(root, file)}: import named values from @aws-sdk/*, so the SDK layer keeps only those`,
        );
      }
      for (const [, typeOnly, list = '', name = ''] of text.matchAll(NAMED_IMPORT)) {
        if (typeOnly) continue;
        const names = found.get(name) ?? new Set<string>();
        for (const specifier of list.split(',').map((s) => s.trim())) {
          if (specifier === '' || specifier.startsWith('type ')) continue;
          names.add(specifier.split(/\s+as\s+/)[0] ?? specifier);
        }
        found.set(name, names);
      }
    }
  }
  return new Map(
    [...found]
      .filter(([, names]) => names.size > 0)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, names]) => [name, [...names].sort()]),
  );
}

/**
 * For a function's build: each `@aws-sdk/*` import the layer carries becomes a `require` of its
 * layer module, with exactly the names the app imports; any other (a library's own, such as the
 * simulator's Lambda client) is a `require` of the runtime's SDK. Either way the SDK stays out
 * of the function's bundle, and it is `require`d rather than imported: an ESM `import` of the
 * runtime's CommonJS packages costs about twice as much, and of the layer would not resolve.
 */
export function sdkPlugin(imports: SdkImports): Plugin {
  return {
    name: 'aws-sdk',
    setup(build) {
      build.onResolve({ filter: new RegExp(`^${SDK_LAYER_PACKAGE}/`) }, (args) => ({
        path: args.path,
        external: true,
      }));
      build.onResolve({ filter: /^@aws-sdk\// }, (args) => {
        if (args.namespace === 'runtime-aws-sdk') return { path: args.path, external: true };
        const inLayer = imports.has(args.path.slice('@aws-sdk/'.length));
        return { path: args.path, namespace: inLayer ? 'aws-sdk-layer' : 'runtime-aws-sdk' };
      });
      build.onLoad({ filter: /.*/, namespace: 'aws-sdk-layer' }, (args) => {
        const name = args.path.slice('@aws-sdk/'.length);
        const names = imports.get(name) ?? [];
        return {
          contents: `const sdk = require('${SDK_LAYER_PACKAGE}/${name}');\nexport const { ${names.join(', ')} } = sdk;\n`,
          loader: 'js',
        };
      });
      build.onLoad({ filter: /.*/, namespace: 'runtime-aws-sdk' }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(args.path)});`,
        loader: 'js',
      }));
    },
  };
}

/** Minified ESM for Node 22, split into chunks: how both the layer and the functions are built. */
export const esmOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  mainFields: ['module', 'main'],
  minify: true,
  splitting: true,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
} satisfies BuildOptions;

/**
 * Builds the layer package into `dir` (on Lambda, `/opt/nodejs/node_modules/tend-aws-sdk`): one
 * module per SDK package the app imports, exporting only those names, sharing chunks. Resolves
 * with esbuild's metafile.
 */
export async function buildSdkLayer(root: string, dir: string, imports: SdkImports): Promise<Metafile> {
  const { build } = await import('esbuild');
  const entries: Plugin = {
    name: 'aws-sdk-layer-entries',
    setup(b) {
      b.onResolve({ filter: /^aws-sdk-layer:/ }, (args) => ({
        path: args.path.slice('aws-sdk-layer:'.length),
        namespace: 'aws-sdk-layer-entry',
      }));
      b.onLoad({ filter: /.*/, namespace: 'aws-sdk-layer-entry' }, (args) => ({
        contents: `export { ${(imports.get(args.path) ?? []).join(', ')} } from '@aws-sdk/${args.path}';\n`,
        loader: 'js',
        resolveDir: root,
      }));
    },
  };
  const result = await build({
    ...esmOptions,
    // No source maps: Node reads the map of every file it loads when source maps are enabled,
    // and a stack trace gains little from frames inside the SDK (the runtime's has none either).
    entryPoints: Object.fromEntries([...imports.keys()].map((name) => [name, `aws-sdk-layer:${name}`])),
    outdir: dir,
    absWorkingDir: root,
    plugins: [entries],
    metafile: true,
  });
  mkdirSync(dir, { recursive: true });
  const exports = Object.fromEntries([...imports.keys()].map((name) => [`./${name}`, `./${name}.mjs`]));
  writeFileSync(
    path.join(dir, 'package.json'),
    `${JSON.stringify({ name: SDK_LAYER_PACKAGE, private: true, type: 'module', exports }, null, 2)}\n`,
  );
  return result.metafile;
}
