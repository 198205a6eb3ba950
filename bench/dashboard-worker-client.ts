/** The parent side of the dashboard benchmark's worker processes (bench/dashboard-worker.ts), one per table. */

import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import type { Call, FromWorker, ToWorker } from './dashboard-protocol.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
/** The admin token the workers' dashboard accepts at sign-in. */
export const ADMIN_TOKEN = 'tend-bench-dashboard-admin-token';

/** A worker process running the dashboard handler against one table; one request at a time. */
export function startWorker(tableName: string, dynamoUrl: string) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    TEND_TABLE_NAME: tableName,
    TEND_DYNAMODB_ENDPOINT: dynamoUrl,
    TEND_PUBLIC_URL: 'http://localhost:3000',
    TEND_ADMIN_TOKEN: ADMIN_TOKEN,
    TEND_LINK_SECRET: 'tend-bench-dashboard-link-secret',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_LOG_LEVEL: 'WARN',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  delete env.JAVA_TOOL_OPTIONS;
  const child: ChildProcess = fork(path.join(ROOT, 'bench/dashboard-worker.ts'), [], {
    cwd: ROOT,
    env,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let waiting: { resolve: (m: FromWorker) => void; reject: (e: Error) => void } | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    waiting = { resolve: () => resolve(), reject };
  });
  child.on('message', (message: FromWorker) => {
    const w = waiting;
    waiting = undefined;
    if (message.type === 'error') w?.reject(new Error(`dashboard worker (${tableName}): ${message.message}`));
    else w?.resolve(message);
  });
  child.once('exit', (code, signal) =>
    waiting?.reject(new Error(`dashboard worker (${tableName}) exited (code ${code}, signal ${signal})`)),
  );
  return {
    ready,
    ask(message: ToWorker): Promise<FromWorker> {
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject };
        child.send(message);
      });
    },
    async run(calls: Call[]) {
      const reply = await this.ask({ type: 'run', calls });
      if (reply.type !== 'ran') throw new Error(`unexpected reply ${reply.type}`);
      return reply;
    },
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill();
    },
  };
}
export type Worker = ReturnType<typeof startWorker>;
