import {
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
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newTaskToken } from './task-tokens.ts';
import {
  createMachine,
  DAY,
  finished,
  history,
  type NotifyPayload,
  tokenTask,
  until,
  useLocalEndpoint,
} from './test-support.ts';

describe('task tokens (lambda:invoke.waitForTaskToken)', () => {
  // 50 days per second: a 7-day timeout lasts 140 ms.
  const endpoint = useLocalEndpoint({ timeScale: DAY * 50 });
  const { lambdas } = endpoint;
  let client: SFNClient;
  beforeAll(() => {
    client = endpoint.client;
  });

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

  beforeEach(() => {
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
