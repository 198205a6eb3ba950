/**
 * `npm run bench:functions`: bundles every function of the manifest exactly as the CDK stack
 * does (the settings in infra/bundling.ts), then reports each bundle's size and its cold module
 * init: the time to import the bundled handler in a fresh Node process, median of five. Exits
 * non-zero when a function is over budget, or when MJML reaches a function that does not save
 * templates.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build, type Metafile } from 'esbuild';
import { lambdaBundleFile, lambdaEsbuildOptions, lambdaNodeOptions } from '../infra/bundling.ts';
import { type FunctionName, functions } from '../infra/manifest.ts';
import { percentile, round } from './stats.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

/** The budgets from the design: a bundle of at most 400 KB, module init within 150 ms. */
export const BUDGET = { bundleKb: 400, initMs: 150 } as const;

/** Only saving a template compiles MJML; every other function renders precompiled templates. */
const MJML_ALLOWED: ReadonlySet<FunctionName> = new Set(['templates-api']);

export interface FunctionMeasure {
  name: FunctionName;
  bundleKb: number;
  mapKb: number;
  /** Cold import of the bundle, one fresh process per sample. */
  initMs: { median: number; min: number; max: number; samples: number[] };
  /** The packages that weigh most in the bundle (minified bytes), ours as `(app)`. */
  largest: { name: string; kb: number }[];
  hasMjml: boolean;
  overBudget: string[];
}

/**
 * The environment of a deployed function at init: Lambda's own variables (so Powertools traces
 * as it does there) and what the stack sets for every function. Nothing of this process leaks
 * in, so no local endpoint is configured.
 */
function lambdaEnv(name: FunctionName): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NODE_OPTIONS: lambdaNodeOptions,
    AWS_REGION: 'us-east-1',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_LAMBDA_FUNCTION_NAME: `tend-${name}`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(functions[name].memoryMb),
    TEND_TABLE_NAME: 'tend-bench',
    TEND_FROM_EMAIL: 'Shop <news@shop.example.com>',
    TEND_POSTAL_ADDRESS: '1 Example Street',
    TEND_DEFAULT_TIME_ZONE: 'UTC',
    POWERTOOLS_SERVICE_NAME: 'tend',
  };
}

/** Imports the bundle once in a fresh process; only the import is timed, not Node's own start. */
const IMPORT_ONCE = [
  'const started = performance.now();',
  'await import(process.argv[1]);',
  'process.stdout.write(String(performance.now() - started));',
  'process.exit(0);',
].join('\n');

function timeImport(file: string, env: NodeJS.ProcessEnv): number {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', IMPORT_ONCE, file], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ms = Number(out);
  if (!Number.isFinite(ms)) throw new Error(`unexpected output from the import of ${file}: ${out}`);
  return ms;
}

const packageOf = (input: string): string => {
  const match = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  return match?.[1] ?? '(app)';
};

function largestParts(metafile: Metafile, count: number): { name: string; kb: number }[] {
  const bytes = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = packageOf(input);
      bytes.set(name, (bytes.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...bytes]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, size]) => ({ name, kb: round(size / 1024) }));
}

/** Bundles one function into `dir` and times its cold import `runs` times. */
async function measure(name: FunctionName, dir: string, runs: number): Promise<FunctionMeasure> {
  const outdir = path.join(dir, name);
  const result = await build({
    ...lambdaEsbuildOptions(functions[name].entry, outdir),
    absWorkingDir: ROOT,
    metafile: true,
    logLevel: 'error',
  });
  const file = path.join(outdir, lambdaBundleFile);
  const env = lambdaEnv(name);
  const samples = Array.from({ length: runs }, () => round(timeImport(file, env), 1));
  const bundleKb = round(statSync(file).size / 1024);
  const initMs = { median: percentile(samples, 50), min: Math.min(...samples), max: Math.max(...samples), samples };
  const hasMjml = Object.keys(result.metafile.inputs).some((input) => packageOf(input) === 'mjml');
  const overBudget = [
    ...(bundleKb > BUDGET.bundleKb ? [`bundle ${bundleKb} KB > ${BUDGET.bundleKb} KB`] : []),
    ...(initMs.median > BUDGET.initMs ? [`init ${initMs.median} ms > ${BUDGET.initMs} ms`] : []),
    ...(hasMjml && !MJML_ALLOWED.has(name) ? ['MJML outside template saving'] : []),
  ];
  return {
    name,
    bundleKb,
    mapKb: round(statSync(`${file}.map`).size / 1024),
    initMs,
    largest: largestParts(result.metafile, 3),
    hasMjml,
    overBudget,
  };
}

/** Every function's bundle and init, measured one after another (the box has two cores). */
export async function measureFunctions(
  options: { runs?: number; only?: readonly FunctionName[]; say?: (line: string) => void } = {},
): Promise<FunctionMeasure[]> {
  const names = options.only ?? (Object.keys(functions) as FunctionName[]);
  // Inside node_modules/.cache, so the bundles find the AWS SDK they leave to the runtime (on
  // Lambda it is the runtime's; here the installed one, loaded from disk as there).
  const cache = path.join(ROOT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(path.join(cache, 'tend-functions-'));
  try {
    const measures: FunctionMeasure[] = [];
    for (const name of names) {
      const m = await measure(name, dir, options.runs ?? 5);
      options.say?.(`  ${name}: ${m.bundleKb} KB, init ${m.initMs.median} ms`);
      measures.push(m);
    }
    return measures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The measures as a markdown table, largest bundle first, with the budget verdict per row. */
export function functionsTable(measures: readonly FunctionMeasure[]): string {
  const rows = [...measures].sort((a, b) => b.bundleKb - a.bundleKb);
  const lines = [
    `| Function | Bundle (KB) | Map beside it (KB) | Init median (min–max), ms | Largest parts (KB) | MJML | ≤ ${BUDGET.bundleKb} KB, ≤ ${BUDGET.initMs} ms |`,
    '| --- | ---: | ---: | ---: | --- | :---: | :---: |',
    ...rows.map(
      (m) =>
        `| ${m.name} | ${m.bundleKb} | ${m.mapKb} | ${m.initMs.median} (${m.initMs.min}–${m.initMs.max}) | ` +
        `${m.largest.map((p) => `${p.name} ${p.kb}`).join(', ')} | ${m.hasMjml ? 'yes' : ''} | ` +
        `${m.overBudget.length === 0 ? 'yes' : `**no**: ${m.overBudget.join('; ')}`} |`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

/** Measures every function and prints the report; false when one is over budget. */
export async function reportFunctions(say: (line: string) => void, runs = 5): Promise<boolean> {
  say(`\n▶ function bundles and cold module init (${runs} fresh processes each)`);
  const measures = await measureFunctions({ runs, say });
  say(`\n${functionsTable(measures)}`);
  const over = measures.filter((m) => m.overBudget.length > 0);
  say(over.length === 0 ? 'Every function is within budget.' : `Over budget: ${over.map((m) => m.name).join(', ')}.`);
  return over.length === 0;
}

async function main() {
  const { values } = parseArgs({
    options: { runs: { type: 'string', default: '5' }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    console.log('Usage: npm run bench:functions [-- --runs N]   (cold imports per function, default 5)');
    return;
  }
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
  const ok = await reportFunctions((line) => process.stdout.write(`${line}\n`), runs);
  if (!ok) process.exitCode = 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
