import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  InvalidArn,
  InvalidDefinition,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  type SFNClient,
  StartExecutionCommand,
  StateMachineAlreadyExists,
  StateMachineDoesNotExist,
  StopExecutionCommand,
  UpdateStateMachineCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type StepFunctionsLocal, startStepFunctionsLocal } from './server.ts';
import {
  clientFor,
  createMachine,
  DAY,
  fakeLambdas,
  finished,
  history,
  lambdaArn,
  ROLE,
  run,
  until,
} from './test-support.ts';

// A century: over 12 minutes even at the 50-days-per-second scale used below.
const longWait = { StartAt: 'Hold', States: { Hold: { Type: 'Wait', Seconds: 36_500 * DAY, End: true } } };

describe('local Step Functions endpoint', () => {
  const lambdas = fakeLambdas();
  let dataDir: string;
  let local: StepFunctionsLocal;
  let client: SFNClient;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sfn-local-'));
    // 50 days per second: a 2-day Wait takes 40 ms.
    local = await startStepFunctionsLocal({
      port: 0,
      dataDir,
      timeScale: DAY * 50,
      invokeFunction: lambdas.invokeFunction,
    });
    client = clientFor(local.endpoint);
  });
  afterAll(async () => {
    client?.destroy();
    await local?.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    lambdas.handlers.clear();
    lambdas.calls.length = 0;
  });

  it('creates, describes, updates and lists state machines, idempotently by name and definition', async () => {
    const definition = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });
    const created = await client.send(new CreateStateMachineCommand({ name: 'crud', definition, roleArn: ROLE }));
    expect(created.stateMachineArn).toBe('arn:aws:states:us-east-1:000000000000:stateMachine:crud');
    expect(created.creationDate).toBeInstanceOf(Date);

    const again = await client.send(new CreateStateMachineCommand({ name: 'crud', definition, roleArn: ROLE }));
    expect(again.stateMachineArn).toBe(created.stateMachineArn);
    await expect(
      client.send(new CreateStateMachineCommand({ name: 'crud', definition: JSON.stringify(longWait), roleArn: ROLE })),
    ).rejects.toBeInstanceOf(StateMachineAlreadyExists);

    const described = await client.send(new DescribeStateMachineCommand({ stateMachineArn: created.stateMachineArn }));
    expect(described).toMatchObject({ name: 'crud', status: 'ACTIVE', type: 'STANDARD', definition, roleArn: ROLE });

    const updatedDefinition = JSON.stringify({ StartAt: 'Q', States: { Q: { Type: 'Pass', End: true } } });
    await client.send(
      new UpdateStateMachineCommand({ stateMachineArn: created.stateMachineArn, definition: updatedDefinition }),
    );
    const updated = await client.send(new DescribeStateMachineCommand({ stateMachineArn: created.stateMachineArn }));
    expect(updated.definition).toBe(updatedDefinition);

    const listed = await client.send(new ListStateMachinesCommand({}));
    expect(listed.stateMachines?.map((m) => m.name)).toContain('crud');
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

  it('answers a repeated StartExecution name with the same execution while it runs, and a conflict for other input', async () => {
    const stateMachineArn = await createMachine(client, longWait);
    const first = await client.send(
      new StartExecutionCommand({ stateMachineArn, name: 'enrollment-1', input: '{"a":1}' }),
    );
    const repeat = await client.send(
      new StartExecutionCommand({ stateMachineArn, name: 'enrollment-1', input: '{"a":1}' }),
    );
    expect(repeat.executionArn).toBe(first.executionArn);
    expect(repeat.startDate).toEqual(first.startDate);
    await expect(
      client.send(new StartExecutionCommand({ stateMachineArn, name: 'enrollment-1', input: '{"a":2}' })),
    ).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    const listed = await client.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING' }));
    expect(listed.executions?.map((e) => e.name)).toEqual(['enrollment-1']);

    // Like the real service: once the execution is closed, even identical input conflicts.
    await client.send(new StopExecutionCommand({ executionArn: first.executionArn }));
    await expect(
      client.send(new StartExecutionCommand({ stateMachineArn, name: 'enrollment-1', input: '{"a":1}' })),
    ).rejects.toBeInstanceOf(ExecutionAlreadyExists);
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

  it('records StateEntered for each state and pages the history', async () => {
    lambdas.handlers.set('noop', async () => ({ ok: true }));
    const { executionArn } = await run(client, {
      StartAt: 'Start',
      States: {
        Start: { Type: 'Pass', Next: 'Pause' },
        Pause: { Type: 'Wait', Seconds: 60, Next: 'Call' },
        Call: { Type: 'Task', Resource: lambdaArn('noop'), Next: 'Route' },
        Route: { Type: 'Choice', Choices: [{ Variable: '$.ok', BooleanEquals: true, Next: 'Done' }], Default: 'Done' },
        Done: { Type: 'Succeed' },
      },
    });
    const events = await history(client, executionArn);
    const entered = events
      .filter((e) => e.type?.endsWith('StateEntered'))
      .map((e) => [e.type, e.stateEnteredEventDetails?.name]);
    expect(entered).toEqual([
      ['PassStateEntered', 'Start'],
      ['WaitStateEntered', 'Pause'],
      ['TaskStateEntered', 'Call'],
      ['ChoiceStateEntered', 'Route'],
      ['SucceedStateEntered', 'Done'],
    ]);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('ExecutionStarted');
    expect(types.at(-1)).toBe('ExecutionSucceeded');
    const call = types.indexOf('TaskStateEntered');
    expect(types.slice(call, call + 5)).toEqual([
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
    ]);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(events[0]?.timestamp).toBeInstanceOf(Date);

    const newestTwo = await client.send(
      new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 2 }),
    );
    expect(newestTwo.events?.map((e) => e.type)).toEqual(['ExecutionSucceeded', 'SucceedStateExited']);
    const rest = await client.send(
      new GetExecutionHistoryCommand({
        executionArn,
        reverseOrder: true,
        maxResults: 1000,
        nextToken: newestTwo.nextToken,
      }),
    );
    expect((rest.events?.length ?? 0) + 2).toBe(events.length);
  });

  it('stops a running execution as ABORTED', async () => {
    const stateMachineArn = await createMachine(client, longWait);
    const { executionArn = '' } = await client.send(new StartExecutionCommand({ stateMachineArn }));
    await client.send(new StopExecutionCommand({ executionArn, error: 'Unenrolled', cause: 'contact unsubscribed' }));
    const result = await finished(client, executionArn);
    expect(result).toMatchObject({ status: 'ABORTED', error: 'Unenrolled', cause: 'contact unsubscribed' });
    expect((await history(client, executionArn)).at(-1)?.type).toBe('ExecutionAborted');
  });

  it('surfaces API errors as the SDK exception classes', async () => {
    const missing = 'arn:aws:states:us-east-1:000000000000:stateMachine:nope';
    await expect(client.send(new StartExecutionCommand({ stateMachineArn: missing }))).rejects.toBeInstanceOf(
      StateMachineDoesNotExist,
    );
    await expect(client.send(new DescribeStateMachineCommand({ stateMachineArn: missing }))).rejects.toBeInstanceOf(
      StateMachineDoesNotExist,
    );
    await expect(
      client.send(
        new DescribeExecutionCommand({ executionArn: 'arn:aws:states:us-east-1:000000000000:execution:nope:x' }),
      ),
    ).rejects.toBeInstanceOf(ExecutionDoesNotExist);
    await expect(client.send(new DescribeExecutionCommand({ executionArn: 'not-an-arn' }))).rejects.toBeInstanceOf(
      InvalidArn,
    );
    await expect(
      client.send(
        new CreateStateMachineCommand({ name: 'bad', definition: '{"StartAt":"X","States":{}}', roleArn: ROLE }),
      ),
    ).rejects.toBeInstanceOf(InvalidDefinition);
  });

  it('answers an unknown operation with UnknownOperationException', async () => {
    const response = await fetch(local.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.CreateActivity' },
      body: '{}',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
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
