import './polyfill.ts';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { WAIT_FOR_TOKEN_RESOURCE } from '../compile.ts';
import type { AslDefinition } from './asl.ts';
import { contextPlaceholder, fillContext, PASS_TASK_RESOURCE, rewriteContextPaths } from './context-rewrite.ts';

const definition: AslDefinition = {
  StartAt: 'Notify',
  States: {
    Notify: {
      Type: 'Task',
      Resource: WAIT_FOR_TOKEN_RESOURCE,
      Parameters: {
        FunctionName: 'notify',
        Payload: { 'id.$': '$.id', deep: [{ 'token.$': '$$.Task.Token' }], 'since.$': '$$.State.EnteredTime' },
      },
      Next: 'Stamp',
    },
    Stamp: {
      Type: 'Pass',
      Parameters: { 'at.$': '$$.State.EnteredTime', 'id.$': '$.id' },
      ResultPath: '$.stamp',
      Next: 'Fan',
    },
    Fan: {
      Type: 'Parallel',
      Next: 'Fixed',
      Branches: [
        {
          StartAt: 'Plain',
          States: {
            Plain: {
              Type: 'Task',
              Resource: 'arn:aws:states:::lambda:invoke',
              Parameters: {
                FunctionName: 'plain',
                Payload: { 'token.$': '$$.Task.Token', 'state.$': '$$.State.Name' },
              },
              End: true,
            },
          },
        },
      ],
    },
    Fixed: { Type: 'Pass', Result: 'fixed', Parameters: { 'at.$': '$$.State.EnteredTime' }, End: true },
  },
};

describe('rewriteContextPaths', () => {
  it('replaces context references with placeholders, the token only in waitForTaskToken Tasks', () => {
    const { definition: rewritten, uses } = rewriteContextPaths(definition);

    expect(rewritten.States.Notify?.Parameters).toEqual({
      FunctionName: 'notify',
      Payload: {
        'id.$': '$.id',
        deep: [{ token: contextPlaceholder('$$.Task.Token') }],
        since: contextPlaceholder('$$.State.EnteredTime'),
      },
    });
    const branch = (rewritten.States.Fan?.Branches as AslDefinition[] | undefined)?.[0];
    expect(branch?.States.Plain?.Parameters).toEqual({
      FunctionName: 'plain',
      Payload: { 'token.$': '$$.Task.Token', state: contextPlaceholder('$$.State.Name') },
    });
    expect([...(uses.get('Notify') ?? [])].sort()).toEqual(['$$.State.EnteredTime', '$$.Task.Token']);
    expect([...(uses.get('Plain') ?? [])]).toEqual(['$$.State.Name']);
    expect(uses.has('Fixed')).toBe(false);
    expect(definition.States.Notify?.Parameters).toMatchObject({ Payload: { deep: [{ 'token.$': '$$.Task.Token' }] } });
  });

  it('turns a Pass with context references into a Task on the local pass resource, keeping its paths', () => {
    const { definition: rewritten } = rewriteContextPaths(definition);

    expect(rewritten.States.Stamp).toMatchObject({
      Type: 'Task',
      Resource: PASS_TASK_RESOURCE,
      ResultPath: '$.stamp',
      Next: 'Fan',
      Parameters: { at: contextPlaceholder('$$.State.EnteredTime'), 'id.$': '$.id' },
    });
    expect(rewritten.States.Fixed).toEqual(definition.States.Fixed);
  });
});

describe('fillContext', () => {
  it('swaps placeholders that have values and leaves the rest alone', () => {
    const value = {
      a: contextPlaceholder('$$.Task.Token'),
      b: [contextPlaceholder('$$.State.EnteredTime'), 'plain'],
      c: contextPlaceholder('$$.State.Name'),
    };

    expect(fillContext(value, { '$$.Task.Token': 'tok', '$$.State.EnteredTime': '2030-01-01T00:00:00.000Z' })).toEqual({
      a: 'tok',
      b: ['2030-01-01T00:00:00.000Z', 'plain'],
      c: contextPlaceholder('$$.State.Name'),
    });
  });
});

describe('in aws-local-stepfunctions', () => {
  it('runs a rewritten Pass through its handler with the context value filled in', async () => {
    const { definition: rewritten } = rewriteContextPaths({
      StartAt: 'Stamp',
      States: {
        Stamp: { Type: 'Pass', Parameters: { 'at.$': '$$.State.EnteredTime' }, ResultPath: '$.stamp', End: true },
      },
    });
    const machine = new StateMachine(rewritten as unknown as StateMachineDefinition, {
      validationOptions: { noValidate: true },
    });
    const handlers = {
      Stamp: async (input: unknown) => fillContext(input, { '$$.State.EnteredTime': '2030-01-01T00:00:00.000Z' }),
    };

    const output = await machine.run({ id: 1 }, { overrides: { taskResourceLocalHandlers: handlers as never } }).result;

    expect(output).toEqual({ id: 1, stamp: { at: '2030-01-01T00:00:00.000Z' } });
  });

  it('still fails $$.Task.Token outside a token task, as the library cannot resolve it', async () => {
    const { definition: rewritten } = rewriteContextPaths({
      StartAt: 'Plain',
      States: {
        Plain: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { 't.$': '$$.Task.Token' },
          End: true,
        },
      },
    });
    const machine = new StateMachine(rewritten as unknown as StateMachineDefinition, {
      validationOptions: { noValidate: true },
    });

    const run = machine.run(
      {},
      { overrides: { taskResourceLocalHandlers: { Plain: async (i: unknown) => i } as never } },
    );

    await expect(run.result).rejects.toMatchObject({ cause: { name: 'States.Runtime' } });
  });
});
