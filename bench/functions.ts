/**
 * `npm run bench:functions`: builds the AWS SDK layer and every function of the manifest exactly
 * as the CDK stack does (infra/bundling.ts), then reports what each loads at cold start (the
 * handler file, the chunks it imports statically, and the SDK layer modules it requires), its
 * cold module init (importing the handler in a fresh Node process, median of five), and apart
 * from that the parts it loads only when first used (each `import()` target: MJML on template
 * save, the journey simulator, one shipped template, a client only some requests need) with the
 * time each adds then, and the files deployed beside the code that Node never loads (the
 * dashboard's browser client, read from disk when a browser asks for it). Exits non-zero when a function is over budget, or when MJML is loaded at
 * cold start or reaches a function that does not save templates.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Metafile } from 'esbuild';
import { bundleFunction, lambdaBundleFile } from '../infra/bundling.ts';
import { type FunctionName, functions } from '../infra/manifest.ts';
import { buildSdkLayer, SDK_LAYER_PACKAGE, sdkImports } from '../infra/sdk-layer.ts';
import { bytesOf, closure, filesBeside, includesMjml, kb, largestParts, lazyParts, sdkOf } from './bundle-graph.ts';
import { lambdaEnv, type Samples, sampleImports } from './cold-start.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

/** The budgets from the design: a bundle of at most 400 KB at cold start, module init within 150 ms. */
export const BUDGET = { bundleKb: 400, initMs: 150 } as const;

/** Only saving a template compiles MJML; every other function renders precompiled templates. */
const MJML_ALLOWED: ReadonlySet<FunctionName> = new Set(['templates-api']);

/** Lazy parts at least this large, or bringing an SDK client, get a first-use timing. */
const TIMED_LAZY_KB = 100;

/** What a function loads only when a handler path first needs it (one `import()` target). */
export interface LazyPart {
  /** The module imported, relative to the repository root; a group of alike files as `dir/*.json`. */
  name: string;
  /** How many `import()` targets this row stands for (13 shipped templates are one row). */
  count: number;
  /** What its first use may load beyond cold start, nested `import()`s included (a group's largest). */
  kb: number;
  /** The SDK clients it brings that cold start did not load. */
  sdk: string[];
  /** Its import in a warm function (after the handler's), when it is large or brings a client. */
  firstUseMs?: number;
  hasMjml: boolean;
}

export interface FunctionMeasure {
  name: FunctionName;
  /** The handler file and every chunk it imports statically: the function's own code at cold start. */
  bundleKb: number;
  /** The SDK layer modules cold start requires, with the chunks they share. */
  sdkKb: number;
  /** The SDK packages cold start requires: from the layer, or `(runtime)` when a library brings its own. */
  sdkAtInit: string[];
  /** Every JavaScript file of the function, lazy parts included (the layer apart). */
  deployedKb: number;
  /** The source maps beside those files (Node reads the map of each file it loads, with --enable-source-maps). */
  mapKb: number;
  /**
   * Files deployed beside the code that Node never loads, read from disk only when a request
   * asks for them (the dashboard's browser client, served as static files): not part of cold start.
   */
  beside: { name: string; files: number; kb: number }[];
  initMs: Samples;
  /** The packages that weigh most in the bundle at cold start (minified bytes), ours as `(app)`. */
  largest: { name: string; kb: number }[];
  lazy: LazyPart[];
  mjml: 'none' | 'lazy' | 'init';
  overBudget: string[];
}

export interface LayerMeasure {
  kb: number;
  /** Each package's module with the chunks it loads: what a function requiring only it loads. */
  packages: { name: string; kb: number }[];
}

/** The SDK layer as the functions load it: its modules and what each brings with it. */
class Layer {
  constructor(
    private readonly metafile: Metafile,
    private readonly dir: string,
  ) {}

  /** What requiring these packages loads: their modules and the chunks those import. */
  kbFor(packages: readonly string[]): number {
    const files = new Set(
      packages.flatMap((name) => [...closure(this.metafile, path.relative(ROOT, path.join(this.dir, `${name}.mjs`)))]),
    );
    return kb(bytesOf(this.metafile, files));
  }

  /** The layer's size, and what requiring each package loads (`packages`: those the app imports). */
  measure(packages: Iterable<string>): LayerMeasure {
    const scripts = Object.keys(this.metafile.outputs).filter((file) => file.endsWith('.mjs'));
    return {
      kb: kb(bytesOf(this.metafile, scripts)),
      packages: [...packages].map((name) => ({ name, kb: this.kbFor([name]) })),
    };
  }
}

/** Bundles one function into `dir` and times its cold import `runs` times. */
async function measure(
  name: FunctionName,
  dir: string,
  layer: Layer,
  imports: ReturnType<typeof sdkImports>,
  runs: number,
): Promise<FunctionMeasure> {
  const outdir = path.join(dir, name);
  const metafile = await bundleFunction(ROOT, functions[name].entry, outdir, imports);
  const entry = path.relative(ROOT, path.join(outdir, lambdaBundleFile));
  const atInit = closure(metafile, entry);
  const scripts = Object.keys(metafile.outputs).filter((file) => file.endsWith('.mjs'));
  const maps = Object.keys(metafile.outputs).filter((file) => file.endsWith('.map'));
  const env = lambdaEnv(name, outdir);
  const handler = path.join(ROOT, entry);
  const initMs = sampleImports([handler], env, runs);
  const sdkAtInit = sdkOf(metafile, atInit);

  const lazy: LazyPart[] = lazyParts(metafile, atInit).map(({ name: part, members }) => {
    const biggest = members.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    const sdk = sdkOf(metafile, biggest.brings).filter((p) => !sdkAtInit.includes(p));
    const timed = kb(biggest.bytes) >= TIMED_LAZY_KB || sdk.length > 0;
    return {
      name: part,
      count: members.length,
      kb: kb(biggest.bytes),
      sdk,
      ...(timed ? { firstUseMs: sampleImports([handler, path.join(ROOT, biggest.file)], env, runs).median } : {}),
      hasMjml: members.some((m) => includesMjml(metafile, m.brings)),
    };
  });

  const bundleKb = kb(bytesOf(metafile, atInit));
  const mjmlAnywhere = includesMjml(metafile, scripts);
  const mjml = includesMjml(metafile, atInit) ? 'init' : mjmlAnywhere ? 'lazy' : 'none';
  const overBudget = [
    ...(bundleKb > BUDGET.bundleKb ? [`bundle ${bundleKb} KB > ${BUDGET.bundleKb} KB`] : []),
    ...(initMs.median > BUDGET.initMs ? [`init ${initMs.median} ms > ${BUDGET.initMs} ms`] : []),
    ...(mjml === 'init' ? ['MJML loaded at cold start'] : []),
    ...(mjmlAnywhere && !MJML_ALLOWED.has(name) ? ['MJML outside template saving'] : []),
  ];
  return {
    name,
    bundleKb,
    sdkKb: layer.kbFor(sdkAtInit.filter((p) => !p.endsWith('(runtime)'))),
    sdkAtInit,
    deployedKb: kb(bytesOf(metafile, scripts)),
    mapKb: kb(bytesOf(metafile, maps)),
    beside: filesBeside(ROOT, outdir, metafile),
    initMs,
    largest: largestParts(metafile, atInit, 3),
    lazy: lazy.sort((a, b) => b.kb * b.count - a.kb * a.count),
    mjml,
    overBudget,
  };
}

/**
 * Builds the SDK layer, then measures every function one after another (the box has two cores).
 * Everything is built inside node_modules/.cache: the layer as `node_modules/tend-aws-sdk` beside
 * the functions, where their `require` finds it as it finds `/opt/nodejs/node_modules` on Lambda,
 * and under the repository's node_modules, where the SDK packages a library brings are found as
 * the runtime's are there.
 */
export async function measureFunctions(
  options: { runs?: number; only?: readonly FunctionName[]; say?: (line: string) => void } = {},
): Promise<{ layer: LayerMeasure; functions: FunctionMeasure[] }> {
  const names = options.only ?? (Object.keys(functions) as FunctionName[]);
  const cache = path.join(ROOT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(path.join(cache, 'tend-functions-'));
  try {
    const imports = sdkImports(ROOT);
    const layerDir = path.join(dir, 'node_modules', SDK_LAYER_PACKAGE);
    const layer = new Layer(await buildSdkLayer(ROOT, layerDir, imports), layerDir);
    const measures: FunctionMeasure[] = [];
    for (const name of names) {
      const m = await measure(name, dir, layer, imports, options.runs ?? 5);
      options.say?.(`  ${name}: ${m.bundleKb} KB + SDK layer ${m.sdkKb} KB, init ${m.initMs.median} ms`);
      measures.push(m);
    }
    return { layer: layer.measure(imports.keys()), functions: measures };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const lazyCell = (parts: readonly LazyPart[]) =>
  parts
    .map((p) => {
      const size = p.count > 1 ? `${p.count} × ≤ ${p.kb} KB` : `${p.kb} KB`;
      const sdk = p.sdk.length > 0 ? ` with ${p.sdk.join(', ')}` : '';
      const ms = p.firstUseMs !== undefined ? `, +${p.firstUseMs} ms` : '';
      return `${p.name} ${size}${sdk}${ms}${p.hasMjml ? ' (MJML)' : ''}`;
    })
    .join('; ');

const besideCell = (files: FunctionMeasure['beside']) =>
  files.map((f) => `${f.name} ${f.kb}${f.files > 1 ? ` (${f.files} files)` : ''}`).join('; ');

/** The measures as markdown: the layer, then one row per function, heaviest first, with the verdict. */
export function functionsTable(layer: LayerMeasure, measures: readonly FunctionMeasure[]): string {
  const rows = [...measures].sort((a, b) => b.bundleKb + b.sdkKb - (a.bundleKb + a.sdkKb));
  const lines = [
    `SDK layer \`${SDK_LAYER_PACKAGE}\` (every function carries it): ${layer.kb} KB of JavaScript, no maps; ` +
      `each package with the chunks it loads: ${layer.packages.map((p) => `${p.name} ${p.kb}`).join(', ')} KB.`,
    '',
    `| Function | Bundle at cold start (KB) | SDK layer at cold start (KB) | Init median (min–max), ms | Largest parts of the bundle (KB) | SDK at cold start | Loaded on first use (import in a warm function, median) | Function JS deployed (KB) | Maps (KB) | Files beside, read on request (KB) | ≤ ${BUDGET.bundleKb} KB, ≤ ${BUDGET.initMs} ms |`,
    '| --- | ---: | ---: | ---: | --- | --- | --- | ---: | ---: | --- | :---: |',
    ...rows.map(
      (m) =>
        `| ${m.name} | ${m.bundleKb} | ${m.sdkKb} | ${m.initMs.median} (${m.initMs.min}–${m.initMs.max}) | ` +
        `${m.largest.map((p) => `${p.name} ${p.kb}`).join(', ')} | ${m.sdkAtInit.join(', ')} | ${lazyCell(m.lazy)} | ` +
        `${m.deployedKb} | ${m.mapKb} | ${besideCell(m.beside)} | ${m.overBudget.length === 0 ? 'yes' : `**no**: ${m.overBudget.join('; ')}`} |`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

/** Measures every function (or `only` these) and prints the report; false when one is over budget. */
export async function reportFunctions(
  say: (line: string) => void,
  runs = 5,
  only?: readonly FunctionName[],
): Promise<boolean> {
  say(`\n▶ function bundles and cold module init (${runs} fresh processes each)`);
  const { layer, functions: measures } = await measureFunctions({ runs, say, ...(only ? { only } : {}) });
  say(`\n${functionsTable(layer, measures)}`);
  const over = measures.filter((m) => m.overBudget.length > 0);
  say(over.length === 0 ? 'Every function is within budget.' : `Over budget: ${over.map((m) => m.name).join(', ')}.`);
  return over.length === 0;
}

async function main() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '5' },
      only: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log('Usage: npm run bench:functions [-- --runs N] [-- --only name,name]   (default 5 cold imports each)');
    return;
  }
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
  const only = values.only?.split(',').map((name) => {
    if (!Object.hasOwn(functions, name)) throw new Error(`--only: no function "${name}"`);
    return name as FunctionName;
  });
  const ok = await reportFunctions((line) => process.stdout.write(`${line}\n`), runs, only);
  if (!ok) process.exitCode = 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
