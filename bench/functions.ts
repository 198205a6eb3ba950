/**
 * `npm run bench:functions`: builds the AWS SDK layer and every function of the manifest exactly
 * as the CDK stack does (infra/bundling.ts), then reports what each loads at cold start (the
 * handler file, the chunks it imports statically, and the SDK layer modules it requires), its
 * cold module init (importing the handler in a fresh Node process, median of five), and apart
 * from that the parts it loads only when first used (each `import()` target: MJML on template
 * save, the journey simulator, one shipped template, a client only some requests need) with the
 * time each adds then. Exits non-zero when a function is over budget, or when MJML is loaded at
 * cold start or reaches a function that does not save templates.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Metafile } from 'esbuild';
import { bundleFunction, lambdaBundleFile, lambdaNodeOptions } from '../infra/bundling.ts';
import { type FunctionName, functions } from '../infra/manifest.ts';
import { buildSdkLayer, SDK_LAYER_PACKAGE, sdkImports } from '../infra/sdk-layer.ts';
import { percentile, round } from './stats.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

/** The budgets from the design: a bundle of at most 400 KB at cold start, module init within 150 ms. */
export const BUDGET = { bundleKb: 400, initMs: 150 } as const;

/** Only saving a template compiles MJML; every other function renders precompiled templates. */
const MJML_ALLOWED: ReadonlySet<FunctionName> = new Set(['templates-api']);

/** Lazy parts at least this large, or bringing an SDK client, get a first-use timing. */
const TIMED_LAZY_KB = 100;

type Samples = { median: number; min: number; max: number; samples: number[] };

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

/**
 * The environment of a deployed function at init: the variables Lambda sets (so Powertools
 * traces and the X-Ray SDK sets up its Lambda context as they do there) and what the stack sets
 * for every function. Nothing of this process leaks in, so no local endpoint is configured.
 */
function lambdaEnv(name: FunctionName, taskRoot: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NODE_OPTIONS: lambdaNodeOptions,
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    LAMBDA_TASK_ROOT: taskRoot,
    _HANDLER: 'index.handler',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_LAMBDA_FUNCTION_NAME: `tend-${name}`,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(functions[name].memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/tend-${name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: '2026/12/07/[$LATEST]bench',
    AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129:2000',
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    TEND_TABLE_NAME: 'tend-bench',
    TEND_FROM_EMAIL: 'Shop <news@shop.example.com>',
    TEND_POSTAL_ADDRESS: '1 Example Street',
    TEND_DEFAULT_TIME_ZONE: 'UTC',
    POWERTOOLS_SERVICE_NAME: 'tend',
  };
}

/**
 * Imports a module once in a fresh process; only that import is timed, not Node's own start.
 * With a second file, the first is imported untimed before it: the handler, then one of its
 * lazy parts, times what that part adds when first used in a warm function.
 */
const IMPORT_ONCE = [
  'const [first, second] = process.argv.slice(1);',
  'if (second) await import(first);',
  'const started = performance.now();',
  'await import(second ?? first);',
  'process.stdout.write(String(performance.now() - started));',
  'process.exit(0);',
].join('\n');

function timeImport(files: readonly string[], env: NodeJS.ProcessEnv): number {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', IMPORT_ONCE, ...files], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ms = Number(out);
  if (!Number.isFinite(ms)) throw new Error(`unexpected output from the import of ${files.join(' then ')}: ${out}`);
  return ms;
}

function sampleImports(files: readonly string[], env: NodeJS.ProcessEnv, runs: number): Samples {
  const samples = Array.from({ length: runs }, () => round(timeImport(files, env), 1));
  return { median: percentile(samples, 50), min: Math.min(...samples), max: Math.max(...samples), samples };
}

const packageOf = (input: string): string => {
  const match = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  return match?.[1] ?? '(app)';
};

const kb = (bytes: number) => round(bytes / 1024);

/**
 * The outputs `from` loads through static imports, itself included; with `dynamic`, also what
 * those may load later through `import()`.
 */
function closure(metafile: Metafile, from: string, dynamic = false): Set<string> {
  const seen = new Set<string>();
  const pending = [from];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const { path: imported, kind } of metafile.outputs[file]?.imports ?? []) {
      const follows = kind === 'import-statement' || (dynamic && kind === 'dynamic-import');
      if (follows && imported in metafile.outputs) pending.push(imported);
    }
  }
  return seen;
}

const bytesOf = (metafile: Metafile, files: Iterable<string>) =>
  [...files].reduce((sum, file) => sum + (metafile.outputs[file]?.bytes ?? 0), 0);

const inputsOf = (metafile: Metafile, files: Iterable<string>) =>
  [...files].flatMap((file) => Object.keys(metafile.outputs[file]?.inputs ?? {}));

/** The SDK packages these outputs require: `client-dynamodb` from the layer, `client-lambda (runtime)`. */
function sdkOf(metafile: Metafile, files: Iterable<string>): string[] {
  const names = inputsOf(metafile, files).flatMap((input) => {
    const [namespace, module] = input.split(':@aws-sdk/');
    if (module === undefined) return [];
    return [namespace === 'aws-sdk-layer' ? module : `${module} (runtime)`];
  });
  return [...new Set(names)].sort();
}

const includesMjml = (metafile: Metafile, files: Iterable<string>) =>
  inputsOf(metafile, files).some((input) => packageOf(input) === 'mjml');

function largestParts(metafile: Metafile, files: Iterable<string>, count: number): { name: string; kb: number }[] {
  const bytes = new Map<string, number>();
  for (const file of files) {
    for (const [input, { bytesInOutput }] of Object.entries(metafile.outputs[file]?.inputs ?? {})) {
      const name = packageOf(input);
      bytes.set(name, (bytes.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...bytes]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, size]) => ({ name, kb: kb(size) }));
}

/**
 * Each `import()` made by what cold start loads, with everything its first use may bring beyond
 * that (its static imports and, later, its own `import()`s); the targets of one folder with one
 * extension (the shipped templates) are a single row.
 */
function lazyParts(metafile: Metafile, atInit: ReadonlySet<string>) {
  const targets = new Set(
    [...atInit].flatMap((file) =>
      (metafile.outputs[file]?.imports ?? [])
        .filter(({ kind, path: imported }) => kind === 'dynamic-import' && imported in metafile.outputs)
        .map(({ path: imported }) => imported),
    ),
  );
  const parts = [...targets]
    .filter((file) => !atInit.has(file))
    .map((file) => {
      const brings = [...closure(metafile, file, true)].filter((f) => !atInit.has(f));
      return { file, module: metafile.outputs[file]?.entryPoint ?? file, bytes: bytesOf(metafile, brings), brings };
    });
  const groups = new Map<string, typeof parts>();
  for (const part of parts) {
    const name = `${path.dirname(part.module)}/*${path.extname(part.module)}`;
    groups.set(name, [...(groups.get(name) ?? []), part]);
  }
  return [...groups].flatMap(([name, members]) =>
    members.length < 3 ? members.map((m) => ({ name: m.module, members: [m] })) : [{ name, members }],
  );
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

/** The measures as markdown: the layer, then one row per function, heaviest first, with the verdict. */
export function functionsTable(layer: LayerMeasure, measures: readonly FunctionMeasure[]): string {
  const rows = [...measures].sort((a, b) => b.bundleKb + b.sdkKb - (a.bundleKb + a.sdkKb));
  const lines = [
    `SDK layer \`${SDK_LAYER_PACKAGE}\` (every function carries it): ${layer.kb} KB of JavaScript, no maps; ` +
      `each package with the chunks it loads: ${layer.packages.map((p) => `${p.name} ${p.kb}`).join(', ')} KB.`,
    '',
    `| Function | Bundle at cold start (KB) | SDK layer at cold start (KB) | Init median (min–max), ms | Largest parts of the bundle (KB) | SDK at cold start | Loaded on first use (import in a warm function, median) | Function JS deployed (KB) | Maps (KB) | ≤ ${BUDGET.bundleKb} KB, ≤ ${BUDGET.initMs} ms |`,
    '| --- | ---: | ---: | ---: | --- | --- | --- | ---: | ---: | :---: |',
    ...rows.map(
      (m) =>
        `| ${m.name} | ${m.bundleKb} | ${m.sdkKb} | ${m.initMs.median} (${m.initMs.min}–${m.initMs.max}) | ` +
        `${m.largest.map((p) => `${p.name} ${p.kb}`).join(', ')} | ${m.sdkAtInit.join(', ')} | ${lazyCell(m.lazy)} | ` +
        `${m.deployedKb} | ${m.mapKb} | ${m.overBudget.length === 0 ? 'yes' : `**no**: ${m.overBudget.join('; ')}`} |`,
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
