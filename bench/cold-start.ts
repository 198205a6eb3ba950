/** Timing a function's module init as Lambda runs it: its environment, and imports in fresh processes. */

import { execFileSync } from 'node:child_process';
import { lambdaNodeOptions } from '../infra/bundling.ts';
import { type FunctionName, functions } from '../infra/manifest.ts';
import { percentile, round } from './stats.ts';

export type Samples = { median: number; min: number; max: number; samples: number[] };

/**
 * The environment of a deployed function at init: the variables Lambda sets (so Powertools
 * traces and the X-Ray SDK sets up its Lambda context as they do there) and what the stack sets
 * for every function. Nothing of this process leaks in, so no local endpoint is configured.
 */
export function lambdaEnv(name: FunctionName, taskRoot: string): NodeJS.ProcessEnv {
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

export function sampleImports(files: readonly string[], env: NodeJS.ProcessEnv, runs: number): Samples {
  const samples = Array.from({ length: runs }, () => round(timeImport(files, env), 1));
  return { median: percentile(samples, 50), min: Math.min(...samples), max: Math.max(...samples), samples };
}
