import './polyfill.ts';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { statesTimeout } from './library-timeout.ts';

describe('statesTimeout', () => {
  it('makes an error the library treats as a timeout: States.TaskFailed skips it, States.Timeout catches it', async () => {
    const definition = {
      StartAt: 'Wait',
      States: {
        Wait: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Catch: [
            { ErrorEquals: ['States.TaskFailed'], Next: 'Wrong' },
            { ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'Right' },
          ],
          End: true,
        },
        Wrong: { Type: 'Pass', Result: 'caught as TaskFailed', End: true },
        Right: { Type: 'Pass', End: true },
      },
    };
    const machine = new StateMachine(definition as unknown as StateMachineDefinition, {
      validationOptions: { noValidate: true },
    });
    const handlers = {
      Wait: async () => {
        throw await statesTimeout('States.Timeout', 'no reply in time');
      },
    };

    const output = await machine.run({}, { overrides: { taskResourceLocalHandlers: handlers as never } }).result;

    expect(output).toEqual({ error: { Error: 'States.Timeout', Cause: 'no reply in time' } });
  });
});
