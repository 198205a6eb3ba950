import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { startStepFunctionsLocal } from './server.ts';
import { clientFor, createMachine, DAY, fakeLambdas, history, until } from './test-support.ts';

const CHILD = fileURLToPath(new URL('./endpoint-process.ts', import.meta.url));

/** Starts the endpoint in a process of its own and resolves with its URL once it listens. */
function spawnEndpoint(dataDir: string): Promise<{ child: ChildProcess; endpoint: string }> {
  // One process (no tsx wrapper around it), so SIGKILL kills the endpoint itself.
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the endpoint process did not start within 20 s')), 20_000);
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) {
        clearTimeout(timer);
        resolve({ child, endpoint: (JSON.parse(line) as { endpoint: string }).endpoint });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the endpoint process exited with ${String(code)}`));
    });
  });
}

describe('a kill -9 of the endpoint', () => {
  it('loses no execution whose StartExecution was answered, and each resumes where it was', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sfn-crash-'));
    const definition = {
      StartAt: 'Prepare',
      States: {
        Prepare: { Type: 'Pass', Result: 'prepared', ResultPath: '$.step', Next: 'Hold' },
        Hold: { Type: 'Wait', Seconds: 365 * DAY, End: true },
      },
    };
    const { child, endpoint } = await spawnEndpoint(dataDir);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const client = clientFor(endpoint);
    const acknowledged: string[] = [];
    try {
      const stateMachineArn = await createMachine(client, definition);
      // Starts keep coming while the process is killed: it dies with some of them half done.
      const KILL_AFTER = 60;
      let next = 0;
      const sender = async (): Promise<void> => {
        while (next < 400) {
          next += 1;
          const name = `burst-${next}`;
          try {
            const out = await client.send(
              new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify({ n: next }) }),
            );
            acknowledged.push(out.executionArn ?? '');
            if (acknowledged.length === KILL_AFTER) child.kill('SIGKILL');
          } catch {
            return;
          }
        }
      };
      await Promise.all(Array.from({ length: 16 }, sender));
      await exited;
    } finally {
      client.destroy();
      child.kill('SIGKILL');
    }
    expect(acknowledged.length).toBeGreaterThanOrEqual(60);

    const lambdas = fakeLambdas();
    const restarted = await startStepFunctionsLocal({ port: 0, dataDir, invokeFunction: lambdas.invokeFunction });
    const after = clientFor(restarted.endpoint);
    try {
      for (const executionArn of acknowledged) {
        const described = await after.send(new DescribeExecutionCommand({ executionArn }));
        expect(described.status).toBe('RUNNING');
        // Resumed from its last recorded state: in the Wait, entered once, whenever the kill came.
        const events = await until(
          () => history(after, executionArn),
          (list) => list.some((e) => e.type === 'WaitStateEntered'),
        );
        expect(events.filter((e) => e.type === 'ExecutionStarted')).toHaveLength(1);
        expect(events.filter((e) => e.type === 'WaitStateEntered')).toHaveLength(1);
      }
    } finally {
      after.destroy();
      await restarted.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
