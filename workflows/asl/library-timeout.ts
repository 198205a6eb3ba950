import './polyfill.ts';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';

type ErrorClass = new () => Error;

let timeoutClass: Promise<ErrorClass> | undefined;

/**
 * A `States.Timeout` error the library treats as a timeout. Retry/Catch on `States.TaskFailed`
 * must not match a timeout (as in the real service), and the library decides that with
 * `instanceof StatesTimeoutError`, a class it does not export. It is captured once from a probe
 * run whose only Task times out after 1 ms.
 */
export async function statesTimeout(name: string, cause: string): Promise<Error> {
  timeoutClass ??= captureTimeoutClass();
  const error = new (await timeoutClass)();
  error.name = name;
  error.message = cause;
  return error;
}

async function captureTimeoutClass(): Promise<ErrorClass> {
  const probe = {
    StartAt: 'Probe',
    States: {
      Probe: {
        Type: 'Task',
        Resource: 'arn:aws:lambda:us-east-1:000000000000:function:probe',
        TimeoutSeconds: 0.001,
        End: true,
      },
    },
  };
  const machine = new StateMachine(probe as unknown as StateMachineDefinition, {
    validationOptions: { noValidate: true },
  });
  const run = machine.run(null, {
    overrides: { taskResourceLocalHandlers: { Probe: () => new Promise<never>(() => {}) } as never },
  });
  try {
    await run.result;
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof Error && cause.name === 'States.Timeout') return cause.constructor as ErrorClass;
  }
  throw new Error('aws-local-stepfunctions did not report States.Timeout for a timed-out Task');
}
