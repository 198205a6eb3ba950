import { fork } from 'node:child_process';
import path from 'node:path';
import type { FromWorker, LoadJob, LoadResult, ToWorker } from './load-protocol.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

export interface LoadRun {
  /** Resolves with autocannon's results once the warm-up and the measured stage are done. */
  result: Promise<LoadResult>;
  /** Ends the generator early (only needed when the benchmark itself fails). */
  stop(): void;
}

type Progress = Exclude<FromWorker, { type: 'done' } | { type: 'error' }>;

/**
 * Runs one autocannon job in a forked process (bench/load-worker.ts under tsx), so the load
 * generator never competes with the server under test for the same event loop.
 */
export function runLoad(job: LoadJob, onProgress: (message: Progress) => void): LoadRun {
  const child = fork(path.join(ROOT, 'bench/load-worker.ts'), [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const result = new Promise<LoadResult>((resolve, reject) => {
    let settled = false;
    child.on('message', (message: FromWorker) => {
      if (message.type === 'tick' || message.type === 'stage') onProgress(message);
      else if (message.type === 'done') {
        settled = true;
        resolve(message.result);
      } else {
        settled = true;
        reject(new Error(`load generator failed: ${message.message}`));
      }
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (!settled) reject(new Error(`load generator exited early (code ${code}, signal ${signal})`));
    });
  });
  child.send({ type: 'run', job } satisfies ToWorker);
  return {
    result,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill();
    },
  };
}
