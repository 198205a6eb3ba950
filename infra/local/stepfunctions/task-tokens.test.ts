import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  InvalidOutput,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type StepFunctionsLocal, startStepFunctionsLocal } from './server.ts';
import { newTaskToken } from './task-tokens.ts';
import {
  clientFor,
  createMachine,
  DAY,
  fakeLambdas,
  finished,
  history,
  historyWith,
  lambdaArn,
  until,
} from './test-support.ts';

const WAIT_FOR_TOKEN = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

/** A token task calling `notify`; the token sits two levels deep in the payload. */
function tokenTask(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Type: 'Task',
    Resource: WAIT_FOR_TOKEN,
    Parameters: {
      FunctionName: lambdaArn('notify'),
      Payload: {
        'contactId.$': '$.contactId',
        callback: { 'token.$': '$$.Task.Token' },
        'waitStartedAt.$': '$$.State.EnteredTime',
        'executionStartedAt.$': '$$.Execution.StartTime',
      },
    },
    ...extra,
  };
}

interface NotifyPayload {
  contactId: string;
  callback: { token: string };
  waitStartedAt: string;
  executionStartedAt: string;
}

describe('task tokens (lambda:invoke.waitForTaskToken)', () => {
  const lambdas = fakeLambdas();
  let local: StepFunctionsLocal;
  let client: SFNClient;

  /** The payloads `notify` received, once there are `count` of them. */
  const notified = (count: number): Promise<NotifyPayload[]> =>
    until(
      async () => lambdas.calls.filter((call) => call.name === 'notify').map((call) => call.payload as NotifyPayload),
      (payloads) => payloads.length >= count,
    );

  async function start(definition: object, input: unknown = { contactId: 'c1' }) {
    const stateMachineArn = await createMachine(client, definition);
    const { executionArn = '' } = await client.send(
      new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }),
    );
    return executionArn;
  }

  beforeAll(async () => {
    // 50 days per second: a 7-day timeout lasts 140 ms.
    local = await startStepFunctionsLocal({ port: 0, timeScale: DAY * 50, invokeFunction: lambdas.invokeFunction });
    client = clientFor(local.endpoint);
  });
  afterAll(async () => {
    client?.destroy();
    await local?.close();
  });
  beforeEach(() => {
    lambdas.handlers.clear();
    lambdas.calls.length = 0;
    lambdas.handlers.set('notify', async () => ({ queued: true }));
  });

  it('passes a fresh token, EnteredTime and StartTime in the payload and takes SendTaskSuccess output as the result', async () => {
    const executionArn = await start({
      StartAt: 'AwaitReply',
      States: { AwaitReply: tokenTask({ TimeoutSeconds: 36_500 * DAY, ResultPath: '$.reply', End: true }) },
    });
    const [payload] = await notified(1);
    const token = payload?.callback.token ?? '';
    expect(token.length).toBeGreaterThan(20);
    expect(payload?.contactId).toBe('c1');

    await client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"clicked":true}' }));
    const result = await finished(client, executionArn);

    expect(result.status).toBe('SUCCEEDED');
    expect(JSON.parse(result.output ?? '')).toEqual({ contactId: 'c1', reply: { clicked: true } });
    const events = await history(client, executionArn);
    const types = events.map((e) => e.type);
    const entered = types.indexOf('TaskStateEntered');
    expect(types.slice(entered, entered + 6)).toEqual([
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited',
    ]);
    const scheduled = events.find((e) => e.type === 'TaskScheduled')?.taskScheduledEventDetails;
    expect(scheduled).toMatchObject({ resourceType: 'lambda', resource: 'invoke.waitForTaskToken' });
    expect(scheduled?.parameters).toContain(token);
    expect(JSON.parse(events.find((e) => e.type === 'TaskSubmitted')?.taskSubmittedEventDetails?.output ?? '')).toEqual(
      { ExecutedVersion: '$LATEST', Payload: { queued: true }, StatusCode: 200 },
    );
    expect(payload?.waitStartedAt).toBe(events[entered]?.timestamp?.toISOString());
    expect(payload?.executionStartedAt).toBe(result.startDate?.toISOString());
  });

  it('gives every Map iteration its own token', async () => {
    const executionArn = await start(
      {
        StartAt: 'Each',
        States: {
          Each: {
            Type: 'Map',
            ItemsPath: '$.contacts',
            ItemProcessor: {
              StartAt: 'AwaitEach',
              States: { AwaitEach: tokenTask({ TimeoutSeconds: 36_500 * DAY, End: true }) },
            },
            End: true,
          },
        },
      },
      { contacts: [{ contactId: 'a' }, { contactId: 'b' }] },
    );
    const payloads = await notified(2);
    expect(new Set(payloads.map((p) => p.callback.token)).size).toBe(2);

    for (const p of payloads) {
      await client.send(
        new SendTaskSuccessCommand({ taskToken: p.callback.token, output: JSON.stringify(p.contactId) }),
      );
    }

    const result = await finished(client, executionArn);
    expect(JSON.parse(result.output ?? '')).toEqual(['a', 'b']);
  });

  it('fails the task with the SendTaskFailure error, which Catch matches with Error and Cause', async () => {
    const executionArn = await start({
      StartAt: 'AwaitReply',
      States: {
        AwaitReply: tokenTask({
          TimeoutSeconds: 36_500 * DAY,
          Catch: [{ ErrorEquals: ['Bounced'], ResultPath: '$.error', Next: 'Handle' }],
          End: true,
        }),
        Handle: { Type: 'Pass', End: true },
      },
    });
    const [payload] = await notified(1);

    await client.send(
      new SendTaskFailureCommand({ taskToken: payload?.callback.token, error: 'Bounced', cause: 'mailbox full' }),
    );

    const result = await finished(client, executionArn);
    expect(result.status).toBe('SUCCEEDED');
    expect(JSON.parse(result.output ?? '').error).toEqual({ Error: 'Bounced', Cause: 'mailbox full' });
    expect((await history(client, executionArn)).find((e) => e.type === 'TaskFailed')?.taskFailedEventDetails).toEqual({
      resourceType: 'lambda',
      resource: 'invoke.waitForTaskToken',
      error: 'Bounced',
      cause: 'mailbox full',
    });
  });

  it('fails the task with the error the function threw, retried with a new token', async () => {
    lambdas.handlers.set('notify', async () => {
      throw Object.assign(new Error('queue unavailable'), { name: 'QueueDown' });
    });
    const executionArn = await start({
      StartAt: 'AwaitReply',
      States: {
        AwaitReply: tokenTask({
          TimeoutSeconds: 36_500 * DAY,
          Retry: [{ ErrorEquals: ['QueueDown'], IntervalSeconds: 1, MaxAttempts: 1 }],
          End: true,
        }),
      },
    });

    const result = await finished(client, executionArn);

    expect(result).toMatchObject({ status: 'FAILED', error: 'QueueDown' });
    const tokens = lambdas.calls.map((call) => (call.payload as NotifyPayload).callback.token);
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).not.toBe(tokens[1]);
  });

  it('times out after the scaled TimeoutSeconds with States.Timeout, which Retry and Catch handle but States.TaskFailed does not', async () => {
    const executionArn = await start({
      StartAt: 'AwaitReply',
      States: {
        AwaitReply: tokenTask({
          TimeoutSeconds: 7 * DAY,
          Retry: [{ ErrorEquals: ['States.Timeout'], IntervalSeconds: 1, MaxAttempts: 1 }],
          Catch: [
            { ErrorEquals: ['States.TaskFailed'], Next: 'Wrong' },
            { ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'NoReply' },
          ],
          End: true,
        }),
        Wrong: { Type: 'Fail', Error: 'WrongCatcher' },
        NoReply: { Type: 'Pass', End: true },
      },
    });

    const result = await finished(client, executionArn);

    expect(result.status).toBe('SUCCEEDED');
    const { error } = JSON.parse(result.output ?? '') as { error: { Error: string; Cause: string } };
    expect(error.Error).toBe('States.Timeout');
    expect(error.Cause).toContain('TimeoutSeconds');
    expect(lambdas.calls).toHaveLength(2);
    const timedOut = (await history(client, executionArn)).filter((e) => e.type === 'TaskTimedOut');
    expect(timedOut.map((e) => e.taskTimedOutEventDetails?.error)).toEqual(['States.Timeout', 'States.Timeout']);
  });

  it('answers SendTask* with InvalidToken, TaskDoesNotExist, InvalidOutput and TaskTimedOut as documented', async () => {
    const executionArn = await start({
      StartAt: 'AwaitReply',
      States: { AwaitReply: tokenTask({ TimeoutSeconds: 36_500 * DAY, End: true }) },
    });
    const [payload] = await notified(1);
    const token = payload?.callback.token ?? '';

    await expect(
      client.send(new SendTaskSuccessCommand({ taskToken: 'not a token', output: '{}' })),
    ).rejects.toBeInstanceOf(InvalidToken);
    await expect(
      client.send(new SendTaskHeartbeatCommand({ taskToken: newTaskToken(executionArn) })),
    ).rejects.toBeInstanceOf(TaskDoesNotExist);
    await expect(client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{oops' }))).rejects.toBeInstanceOf(
      InvalidOutput,
    );
    await client.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    await client.send(new SendTaskSuccessCommand({ taskToken: token, output: '1' }));
    await expect(client.send(new SendTaskSuccessCommand({ taskToken: token, output: '2' }))).rejects.toBeInstanceOf(
      TaskTimedOut,
    );
    expect((await finished(client, executionArn)).output).toBe('1');
    await expect(client.send(new SendTaskFailureCommand({ taskToken: token }))).rejects.toBeInstanceOf(TaskTimedOut);
  });

  it('ends a waiting task with StopExecution; its token then answers TaskTimedOut', async () => {
    const executionArn = await start({
      StartAt: 'AwaitReply',
      States: { AwaitReply: tokenTask({ TimeoutSeconds: 36_500 * DAY, End: true }) },
    });
    const [payload] = await notified(1);

    await client.send(new StopExecutionCommand({ executionArn, error: 'Unenrolled' }));

    expect((await finished(client, executionArn)).status).toBe('ABORTED');
    await expect(
      client.send(new SendTaskSuccessCommand({ taskToken: payload?.callback.token, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskTimedOut);
    expect((await history(client, executionArn)).at(-1)?.type).toBe('ExecutionAborted');
  });
});

describe('task token heartbeats', () => {
  const lambdas = fakeLambdas();
  let local: StepFunctionsLocal;
  let client: SFNClient;

  beforeAll(async () => {
    // 1000x: HeartbeatSeconds 1000 is one real second.
    local = await startStepFunctionsLocal({ port: 0, timeScale: 1000, invokeFunction: lambdas.invokeFunction });
    client = clientFor(local.endpoint);
    lambdas.handlers.set('notify', async () => null);
  });
  afterAll(async () => {
    client?.destroy();
    await local?.close();
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
