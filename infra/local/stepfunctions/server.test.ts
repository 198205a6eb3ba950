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
import { beforeAll, describe, expect, it } from 'vitest';
import { createMachine, DAY, finished, history, lambdaArn, ROLE, run, useLocalEndpoint } from './test-support.ts';

// A century: over 12 minutes even at the 50-days-per-second scale used below.
const longWait = { StartAt: 'Hold', States: { Hold: { Type: 'Wait', Seconds: 36_500 * DAY, End: true } } };

describe('local Step Functions endpoint', () => {
  // 50 days per second: a 2-day Wait takes 40 ms.
  const endpoint = useLocalEndpoint({ timeScale: DAY * 50, persist: true });
  const { lambdas } = endpoint;
  let client: SFNClient;
  beforeAll(() => {
    client = endpoint.client;
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
    const response = await fetch(endpoint.local.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.CreateActivity' },
      body: '{}',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });
});
