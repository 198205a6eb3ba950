import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import type { Machine } from './report.ts';
import { round } from './stats.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

/** The commit measured: git's view of this checkout, or TEND_BENCH_COMMIT for an exported tree. */
export function commit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, stdio: 'pipe' }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: ROOT, stdio: 'pipe' }).toString().trim();
    return dirty ? `${sha} + uncommitted changes` : sha;
  } catch {
    return process.env.TEND_BENCH_COMMIT ?? 'unknown';
  }
}

/** The machine a benchmark ran on, with its load when it started. */
export function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    memoryGb: round(os.totalmem() / 1024 ** 3, 1),
    loadAverageAtStart: os.loadavg().map((l) => round(l, 2)),
  };
}
