import { assertUnreachable } from '#domain/assert.ts';
import { type AslDefinition, collectStates } from './asl.ts';
import type { NewHistoryEvent } from './store.ts';

/**
 * What a Task's `Resource` asks for. Task tokens (`.waitForTaskToken`), `.sync` and SDK
 * integrations are classified as unsupported for now; add a kind here to support one.
 */
export type TaskResource =
  | { kind: 'lambda-function'; functionName: string }
  | { kind: 'lambda-invoke' }
  | { kind: 'unsupported'; resourceType: string; resource: string };

const LAMBDA_FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:([^:]+)(?::[^:]+)?$/;
const SERVICE_INTEGRATION = /^arn:aws[a-z-]*:states:::([^:]+):(.+)$/;

export function classifyResource(resource: string): TaskResource {
  const lambda = LAMBDA_FUNCTION_ARN.exec(resource);
  if (lambda?.[1]) return { kind: 'lambda-function', functionName: lambda[1] };
  const integration = SERVICE_INTEGRATION.exec(resource);
  if (integration?.[1] === 'lambda' && integration[2] === 'invoke') return { kind: 'lambda-invoke' };
  return { kind: 'unsupported', resourceType: integration?.[1] ?? 'unknown', resource: integration?.[2] ?? resource };
}

/** `my-fn`, `my-fn:alias`, `123456789012:function:my-fn` or a full ARN, to `my-fn`. */
export function functionNameOf(functionName: string): string {
  const afterFunction = functionName.includes(':function:') ? functionName.split(':function:')[1] : functionName;
  return (afterFunction ?? functionName).split(':')[0] ?? functionName;
}

/**
 * A failed Task. The `name` is what Retry/Catch `ErrorEquals` match (for a Lambda, the error's
 * own name, as the Lambda runtime reports `errorType`); the message is the Cause.
 */
export class TaskFailure extends Error {
  private readonly recoverable: boolean;

  constructor(name: string, cause: string, options: { recoverable?: boolean } = {}) {
    super(cause);
    this.name = name;
    this.recoverable = options.recoverable ?? true;
  }

  /** Read by aws-local-stepfunctions to decide whether Retry may match. */
  get isRetryable(): boolean {
    return this.recoverable;
  }

  /** Read by aws-local-stepfunctions to decide whether Catch may match. */
  get isCatchable(): boolean {
    return this.recoverable;
  }
}

/** Like the Lambda Node.js runtime: Cause is `{"errorType","errorMessage","trace"}` as JSON. */
export function toTaskFailure(error: unknown): TaskFailure {
  if (error instanceof TaskFailure) return error;
  const errorType = error instanceof Error && error.name ? error.name : 'Error';
  const errorMessage = error instanceof Error ? error.message : String(error);
  const trace = error instanceof Error ? (error.stack?.split('\n') ?? []) : [];
  return new TaskFailure(errorType, JSON.stringify({ errorType, errorMessage, trace }));
}

export type TaskHandler = (input: unknown) => Promise<unknown>;

export interface TaskHandlerDeps {
  region: string;
  invokeFunction: (functionName: string, payload: unknown) => Promise<unknown>;
  /** Appends to the execution's history (a no-op once the run is detached). */
  record: (event: NewHistoryEvent) => void;
  /**
   * Resolves once the library's already-dispatched events (StateEntered, ...) are in the history,
   * so the task events this handler records land after them.
   */
  settled: () => Promise<void>;
}

/** A local handler for every Task state (nested ones included), keyed by state name. */
export function buildTaskHandlers(definition: AslDefinition, deps: TaskHandlerDeps): Record<string, TaskHandler> {
  const handlers: Record<string, TaskHandler> = {};
  for (const [name, { state }] of collectStates(definition)) {
    if (state.Type !== 'Task') continue;
    const resource = typeof state.Resource === 'string' ? state.Resource : '';
    const target = classifyResource(resource);
    handlers[name] = createHandler(name, resource, target, deps);
  }
  return handlers;
}

function createHandler(
  stateName: string,
  resourceArn: string,
  target: TaskResource,
  deps: TaskHandlerDeps,
): TaskHandler {
  switch (target.kind) {
    case 'lambda-function':
      return async (input) => {
        await deps.settled();
        deps.record({
          type: 'LambdaFunctionScheduled',
          lambdaFunctionScheduledEventDetails: {
            resource: resourceArn,
            input: toJsonText(input),
            inputDetails: { truncated: false },
          },
        });
        deps.record({ type: 'LambdaFunctionStarted' });
        try {
          const output = toJsonValue(await deps.invokeFunction(target.functionName, input));
          deps.record({
            type: 'LambdaFunctionSucceeded',
            lambdaFunctionSucceededEventDetails: { output: toJsonText(output), outputDetails: { truncated: false } },
          });
          return output;
        } catch (error) {
          const failure = toTaskFailure(error);
          deps.record({
            type: 'LambdaFunctionFailed',
            lambdaFunctionFailedEventDetails: { error: failure.name, cause: failure.message },
          });
          throw failure;
        }
      };
    case 'lambda-invoke': {
      const task = { resourceType: 'lambda', resource: 'invoke' };
      return async (input) => {
        await deps.settled();
        const parameters = (input ?? {}) as { FunctionName?: unknown; Payload?: unknown };
        deps.record({
          type: 'TaskScheduled',
          taskScheduledEventDetails: { ...task, region: deps.region, parameters: toJsonText(input) },
        });
        try {
          if (typeof parameters.FunctionName !== 'string') {
            throw new TaskFailure(
              'States.TaskFailed',
              `State '${stateName}': lambda:invoke needs Parameters.FunctionName`,
            );
          }
          deps.record({ type: 'TaskStarted', taskStartedEventDetails: task });
          const payload = toJsonValue(
            await deps.invokeFunction(functionNameOf(parameters.FunctionName), parameters.Payload ?? {}),
          );
          // The shape of the real integration's result (minus the SDK HTTP metadata).
          const output = { ExecutedVersion: '$LATEST', Payload: payload, StatusCode: 200 };
          deps.record({
            type: 'TaskSucceeded',
            taskSucceededEventDetails: { ...task, output: toJsonText(output), outputDetails: { truncated: false } },
          });
          return output;
        } catch (error) {
          const failure = toTaskFailure(error);
          deps.record({
            type: 'TaskFailed',
            taskFailedEventDetails: { ...task, error: failure.name, cause: failure.message },
          });
          throw failure;
        }
      };
    }
    case 'unsupported':
      return async () => {
        await deps.settled();
        const cause =
          `State '${stateName}' uses the unsupported resource '${resourceArn}': the local Step Functions ` +
          'endpoint runs Lambda functions only (a function ARN or arn:aws:states:::lambda:invoke)';
        const { resourceType, resource } = target;
        deps.record({
          type: 'TaskFailed',
          taskFailedEventDetails: { resourceType, resource, error: 'States.TaskFailed', cause },
        });
        // Neither retryable nor catchable: a Catch on States.ALL must not hide a local gap.
        throw new TaskFailure('States.TaskFailed', cause, { recoverable: false });
      };
    default:
      return assertUnreachable(target);
  }
}

/** What a Lambda's JSON payload would hold (dates as strings, `undefined` as null). */
function toJsonValue(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

function toJsonText(value: unknown): string {
  return JSON.stringify(value ?? null);
}
