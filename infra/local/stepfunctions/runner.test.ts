import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { beforeAll, describe, expect, it } from 'vitest';
import { startStepFunctionsLocal } from './server.ts';
import {
  clientFor,
  createMachine,
  DAY,
  fakeLambdas,
  finished,
  history,
  lambdaArn,
  run,
  until,
  useLocalEndpoint,
} from './test-support.ts';

describe('executions on the local endpoint', () => {
  // 50 days per second: a 2-day Wait takes 40 ms.
  const endpoint = useLocalEndpoint({ timeScale: DAY * 50, persist: true });
  const { lambdas } = endpoint;
  let client: SFNClient;
  beforeAll(() => {
    client = endpoint.client;
  });

  it('runs a definition to SUCCEEDED with its output', async () => {
    const { result } = await run(
      client,
      { StartAt: 'Greet', States: { Greet: { Type: 'Pass', Parameters: { 'hello.$': '$.name' }, End: true } } },
      { name: 'Ada' },
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(JSON.parse(result.output ?? '')).toEqual({ hello: 'Ada' });
    expect(result.stopDate).toBeInstanceOf(Date);
  });

  it('calls invokeFunction with the function name and the Task input, for ARNs and lambda:invoke', async () => {
    lambdas.handlers.set('score', async (payload) => ({ score: (payload as { n: number }).n * 2 }));
    lambdas.handlers.set('label', async (payload) => `label-${(payload as { score: number }).score}`);
    const { result } = await run(
      client,
      {
        StartAt: 'Score',
        States: {
          Score: {
            Type: 'Task',
            Resource: lambdaArn('score'),
            Parameters: { 'n.$': '$.value' },
            ResultPath: '$.scored',
            Next: 'Label',
          },
          Label: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: lambdaArn('label'), 'Payload.$': '$.scored' },
            End: true,
          },
        },
      },
      { value: 21 },
    );
    expect(lambdas.calls).toEqual([
      { name: 'score', payload: { n: 21 } },
      { name: 'label', payload: { score: 42 } },
    ]);
    expect(result.status).toBe('SUCCEEDED');
    expect(JSON.parse(result.output ?? '')).toMatchObject({ Payload: 'label-42', StatusCode: 200 });
  });

  it('runs Lambda Tasks nested in Parallel branches and Map iterations', async () => {
    lambdas.handlers.set('double', async (payload) => (payload as number) * 2);
    const { result } = await run(
      client,
      {
        StartAt: 'Both',
        States: {
          Both: {
            Type: 'Parallel',
            End: true,
            Branches: [
              {
                StartAt: 'DoubleFirst',
                States: { DoubleFirst: { Type: 'Task', Resource: lambdaArn('double'), InputPath: '$[0]', End: true } },
              },
              {
                StartAt: 'Each',
                States: {
                  Each: {
                    Type: 'Map',
                    End: true,
                    ItemProcessor: {
                      StartAt: 'DoubleItem',
                      States: { DoubleItem: { Type: 'Task', Resource: lambdaArn('double'), End: true } },
                    },
                  },
                },
              },
            ],
          },
        },
      },
      [1, 2, 3],
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(JSON.parse(result.output ?? '')).toEqual([2, [2, 4, 6]]);
  });

  it('fills $$.State.EnteredTime, $$.State.Name and $$.Execution.StartTime in Pass and Task Parameters', async () => {
    lambdas.handlers.set('echo', async (payload) => payload);
    const { result, executionArn } = await run(client, {
      StartAt: 'Stamp',
      States: {
        Stamp: {
          Type: 'Pass',
          Parameters: { 'at.$': '$$.State.EnteredTime', 'state.$': '$$.State.Name' },
          ResultPath: '$.stamp',
          Next: 'Echo',
        },
        Echo: {
          Type: 'Task',
          Resource: lambdaArn('echo'),
          Parameters: { 'startedAt.$': '$$.Execution.StartTime', 'enteredAt.$': '$$.State.EnteredTime' },
          ResultPath: '$.echo',
          End: true,
        },
      },
    });
    const events = await history(client, executionArn);
    const enteredAt = (name: string) =>
      events.find((e) => e.stateEnteredEventDetails?.name === name)?.timestamp?.toISOString();

    expect(result.status).toBe('SUCCEEDED');
    expect(JSON.parse(result.output ?? '')).toEqual({
      stamp: { at: enteredAt('Stamp'), state: 'Stamp' },
      echo: { startedAt: result.startDate?.toISOString(), enteredAt: enteredAt('Echo') },
    });
    expect(events.map((e) => e.type)).toContain('PassStateEntered');
  });

  it('retries then catches an error by the name invokeFunction threw', async () => {
    lambdas.handlers.set('flaky', async () => {
      const error = new Error('mail provider down');
      error.name = 'TransientError';
      throw error;
    });
    const { result } = await run(client, {
      StartAt: 'Send',
      States: {
        Send: {
          Type: 'Task',
          Resource: lambdaArn('flaky'),
          TimeoutSeconds: 30,
          Retry: [{ ErrorEquals: ['TransientError'], IntervalSeconds: 2, MaxAttempts: 2, BackoffRate: 2 }],
          Catch: [{ ErrorEquals: ['TransientError'], ResultPath: '$.error', Next: 'Recover' }],
          Next: 'Done',
        },
        Recover: { Type: 'Pass', End: true },
        Done: { Type: 'Succeed' },
      },
    });
    expect(lambdas.calls).toHaveLength(3);
    expect(result.status).toBe('SUCCEEDED');
    const { error } = JSON.parse(result.output ?? '') as { error: { Error: string; Cause: string } };
    expect(error.Error).toBe('TransientError');
    expect(JSON.parse(error.Cause)).toMatchObject({ errorType: 'TransientError', errorMessage: 'mail provider down' });
  });

  it('fails the execution with the error name when nothing catches it', async () => {
    lambdas.handlers.set('broken', async () => {
      throw Object.assign(new Error('bad template'), { name: 'TemplateError' });
    });
    const { result } = await run(client, {
      StartAt: 'Send',
      States: { Send: { Type: 'Task', Resource: lambdaArn('broken'), End: true } },
    });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('TemplateError');
    expect(result.cause).toContain('bad template');
  });

  it('fails an unsupported resource with a cause naming it instead of hanging', async () => {
    const { result } = await run(client, {
      StartAt: 'Put',
      States: {
        Put: {
          Type: 'Task',
          Resource: 'arn:aws:states:::dynamodb:putItem',
          Parameters: { TableName: 't', Item: {} },
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Hidden' }],
          End: true,
        },
        Hidden: { Type: 'Succeed' },
      },
    });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.TaskFailed');
    expect(result.cause).toContain('arn:aws:states:::dynamodb:putItem');
  });

  it('waits two days in well under a second with Seconds, SecondsPath and TimestampPath', async () => {
    const inTwoDays = new Date(Date.now() + 2 * DAY * 1000).toISOString();
    const started = Date.now();
    const { result, executionArn } = await run(
      client,
      {
        StartAt: 'Fixed',
        States: {
          Fixed: { Type: 'Wait', Seconds: 2 * DAY, Next: 'FromPath' },
          FromPath: { Type: 'Wait', SecondsPath: '$.delay.seconds', Next: 'Until' },
          Until: { Type: 'Wait', TimestampPath: '$.sendAt', End: true },
        },
      },
      { delay: { seconds: 2 * DAY }, sendAt: inTwoDays },
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(JSON.parse(result.output ?? '')).toEqual({ delay: { seconds: 2 * DAY }, sendAt: inTwoDays });
    // Three 2-day waits at 50 days per second take ~120 ms; unscaled they would take 6 days.
    expect(Date.now() - started).toBeLessThan(10_000);
    const types = (await history(client, executionArn)).map((e) => e.type);
    expect(types.filter((t) => t === 'WaitStateEntered')).toHaveLength(3);
  });

  it('times an execution out after its scaled TimeoutSeconds', async () => {
    const { result, executionArn } = await run(client, {
      TimeoutSeconds: 3600,
      StartAt: 'Hold',
      States: { Hold: { Type: 'Wait', Seconds: 2 * DAY, End: true } },
    });
    expect(result).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
    expect((await history(client, executionArn)).at(-1)?.type).toBe('ExecutionTimedOut');
  });

  it('fails a Wait whose SecondsPath points nowhere', async () => {
    const { result } = await run(client, {
      StartAt: 'Hold',
      States: { Hold: { Type: 'Wait', SecondsPath: '$.missing', End: true } },
    });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.Runtime');
  });
});

describe('persistence', () => {
  it('resumes an execution that was inside a long Wait when the endpoint closed', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sfn-local-'));
    const lambdas = fakeLambdas();
    lambdas.handlers.set('after', async (payload) => ({ seen: payload }));
    const definition = {
      StartAt: 'Prepare',
      States: {
        Prepare: { Type: 'Pass', Result: 'prepared', ResultPath: '$.step', Next: 'Hold' },
        Hold: { Type: 'Wait', Seconds: 365 * DAY, Next: 'After' },
        After: { Type: 'Task', Resource: lambdaArn('after'), End: true },
      },
    };
    // A year at 1000x is still ~8.8 hours: certainly RUNNING at close().
    const first = await startStepFunctionsLocal({
      port: 0,
      dataDir,
      timeScale: 1000,
      invokeFunction: lambdas.invokeFunction,
    });
    const firstClient = clientFor(first.endpoint);
    let executionArn = '';
    try {
      const stateMachineArn = await createMachine(firstClient, definition);
      ({ executionArn = '' } = await firstClient.send(
        new StartExecutionCommand({ stateMachineArn, name: 'resume-me', input: '{"contactId":"c1"}' }),
      ));
      await until(
        () => history(firstClient, executionArn),
        (events) => events.some((e) => e.type === 'WaitStateEntered'),
      );
    } finally {
      firstClient.destroy();
      await first.close();
    }
    const file = join(dataDir, 'stepfunctions.json');
    const saved = JSON.parse(await readFile(file, 'utf8'));
    expect(saved.executions[0]).toMatchObject({ status: 'RUNNING', pendingWaits: { Hold: { timeScale: 1000 } } });
    expect(lambdas.calls).toHaveLength(0);
    // Pretend the year nearly passed while the endpoint was down: only the remaining time is
    // waited for, so this completes at once (restarting the whole Wait would take ~8.8 hours).
    saved.executions[0].pendingWaits.Hold.dueAt = Date.now() + 20;
    await writeFile(file, JSON.stringify(saved));

    const second = await startStepFunctionsLocal({
      port: 0,
      dataDir,
      timeScale: 1000,
      invokeFunction: lambdas.invokeFunction,
    });
    const secondClient = clientFor(second.endpoint);
    try {
      const result = await finished(secondClient, executionArn);
      expect(result.status).toBe('SUCCEEDED');
      expect(JSON.parse(result.output ?? '')).toEqual({ seen: { contactId: 'c1', step: 'prepared' } });
      expect(lambdas.calls).toEqual([{ name: 'after', payload: { contactId: 'c1', step: 'prepared' } }]);
      const types = (await history(secondClient, executionArn)).map((e) => e.type);
      expect(types.filter((t) => t === 'WaitStateEntered')).toHaveLength(1);
      expect(types.filter((t) => t === 'ExecutionStarted')).toHaveLength(1);
    } finally {
      secondClient.destroy();
      await second.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
