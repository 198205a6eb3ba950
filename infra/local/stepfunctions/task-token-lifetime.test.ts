import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStepFunctionsLocal } from './server.ts';
import {
  clientFor,
  createMachine,
  DAY,
  fakeLambdas,
  finished,
  history,
  historyWith,
  type NotifyPayload,
  tokenTask,
  useLocalEndpoint,
} from './test-support.ts';

describe('task token heartbeats', () => {
  // 1000x: HeartbeatSeconds 1000 is one real second.
  const endpoint = useLocalEndpoint({ timeScale: 1000 });
  const { lambdas } = endpoint;
  let client: SFNClient;
  beforeAll(() => {
    client = endpoint.client;
  });
  beforeEach(() => {
    lambdas.handlers.set('notify', async () => null);
  });

  const definition = {
    StartAt: 'AwaitReply',
    States: {
      AwaitReply: tokenTask({
        TimeoutSeconds: 30 * DAY,
        HeartbeatSeconds: 1000,
        Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'NoHeartbeat' }],
        End: true,
      }),
      NoHeartbeat: { Type: 'Pass', End: true },
    },
  };

  it('keeps a task alive past HeartbeatSeconds while heartbeats arrive, and times it out when they stop', async () => {
    const stateMachineArn = await createMachine(client, definition);
    const kept = await client.send(new StartExecutionCommand({ stateMachineArn, input: '{"contactId":"kept"}' }));
    const dropped = await client.send(new StartExecutionCommand({ stateMachineArn, input: '{"contactId":"dropped"}' }));
    await historyWith(client, kept.executionArn ?? '', (e) => e.type === 'TaskSubmitted');
    const keptToken = lambdas.calls.map((call) => call.payload as NotifyPayload).find((p) => p.contactId === 'kept')
      ?.callback.token;

    // Ten heartbeats 250 ms apart span 2.5 s, two and a half HeartbeatSeconds.
    const heartbeatsFrom = Date.now();
    for (let beat = 0; beat < 10; beat++) {
      await client.send(new SendTaskHeartbeatCommand({ taskToken: keptToken }));
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(Date.now() - heartbeatsFrom).toBeGreaterThan(2000);
    await client.send(new SendTaskSuccessCommand({ taskToken: keptToken, output: '"replied"' }));

    expect(await finished(client, kept.executionArn ?? '')).toMatchObject({ status: 'SUCCEEDED', output: '"replied"' });
    const timedOut = await finished(client, dropped.executionArn ?? '');
    expect(JSON.parse(timedOut.output ?? '').error.Error).toBe('States.Timeout');
    expect(JSON.parse(timedOut.output ?? '').error.Cause).toContain('HeartbeatSeconds');
  });
});

describe('task tokens across a restart', () => {
  it('keeps the token and the remaining timeout of a year-long wait, and does not invoke the function again', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sfn-tokens-'));
    const lambdas = fakeLambdas();
    lambdas.handlers.set('notify', async () => ({ queued: true }));
    const definition = {
      StartAt: 'AwaitReply',
      States: {
        AwaitReply: tokenTask({
          TimeoutSeconds: 365 * DAY,
          Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'NoReply' }],
          Next: 'Replied',
        }),
        NoReply: { Type: 'Pass', Result: 'no reply', End: true },
        Replied: { Type: 'Pass', End: true },
      },
    };
    // Real time (scale 1): a year is far past what one Node timer holds; an overflowing timer
    // would fire at once and time the task out.
    const start = () =>
      startStepFunctionsLocal({ port: 0, dataDir, timeScale: 1, invokeFunction: lambdas.invokeFunction });
    const first = await start();
    const firstClient = clientFor(first.endpoint);
    let answered = '';
    let expiring = '';
    try {
      const stateMachineArn = await createMachine(firstClient, definition);
      for (const contactId of ['answered', 'expiring']) {
        const { executionArn = '' } = await firstClient.send(
          new StartExecutionCommand({ stateMachineArn, name: contactId, input: JSON.stringify({ contactId }) }),
        );
        await historyWith(firstClient, executionArn, (e) => e.type === 'TaskSubmitted');
        if (contactId === 'answered') answered = executionArn;
        else expiring = executionArn;
      }
    } finally {
      firstClient.destroy();
      await first.close();
    }

    const file = join(dataDir, 'stepfunctions.json');
    const saved = JSON.parse(await readFile(file, 'utf8'));
    const tokenRecord = (arn: string) => {
      const execution = saved.executions.find((e: { arn: string }) => e.arn === arn);
      return Object.values(execution.taskTokens)[0] as {
        status: string;
        invoked: boolean;
        timeoutDue: { dueAt: number };
      };
    };
    expect(tokenRecord(answered)).toMatchObject({ status: 'WAITING', invoked: true });
    const yearFromNow = Date.now() + 365 * DAY * 1000;
    expect(Math.abs(tokenRecord(answered).timeoutDue.dueAt - yearFromNow)).toBeLessThan(60_000);
    // Pretend the year nearly passed for one of them while the endpoint was down.
    tokenRecord(expiring).timeoutDue.dueAt = Date.now() + 20;
    await writeFile(file, JSON.stringify(saved));
    const tokenOf = (contactId: string) =>
      lambdas.calls.map((call) => call.payload as NotifyPayload).find((p) => p.contactId === contactId)?.callback.token;

    const second = await start();
    const secondClient = clientFor(second.endpoint);
    try {
      const expired = await finished(secondClient, expiring);
      expect(expired.status).toBe('SUCCEEDED');
      expect(expired.output).toBe('"no reply"');
      const stillWaiting = await secondClient.send(new DescribeExecutionCommand({ executionArn: answered }));
      expect(stillWaiting.status).toBe('RUNNING');

      await secondClient.send(
        new SendTaskSuccessCommand({ taskToken: tokenOf('answered'), output: '{"reply":"yes"}' }),
      );

      const replied = await finished(secondClient, answered);
      expect(replied.status).toBe('SUCCEEDED');
      expect(JSON.parse(replied.output ?? '')).toEqual({ reply: 'yes' });
      expect(lambdas.calls).toHaveLength(2);
      const types = (await history(secondClient, answered)).map((e) => e.type);
      expect(types.filter((t) => t === 'TaskScheduled')).toHaveLength(1);
      expect(types.filter((t) => t === 'TaskStateEntered')).toHaveLength(1);
    } finally {
      secondClient.destroy();
      await second.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
