import { assertUnreachable } from '#core/assert.ts';
import { type AslDefinition, type AslState, collectStates } from '#workflows/asl/asl.ts';
import {
  type ContextValues,
  fillContext,
  PASS_TASK_RESOURCE,
  type RewrittenContext,
} from '#workflows/asl/context-rewrite.ts';
import type { NewHistoryEvent } from './records.ts';

/**
 * What a Task's `Resource` asks for. `.sync`, SDK integrations and task tokens for anything but
 * Lambda are classified as unsupported; add a kind here to support one.
 */
export type TaskResource =
  | { kind: 'lambda-function'; functionName: string }
  | { kind: 'lambda-invoke' }
  | { kind: 'lambda-invoke-wait-for-token' }
  | { kind: 'pass' }
  | { kind: 'unsupported'; resourceType: string; resource: string };

const LAMBDA_FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:([^:]+)(?::[^:]+)?$/;
const SERVICE_INTEGRATION = /^arn:aws[a-z-]*:states:::([^:]+):(.+)$/;

export function classifyResource(resource: string): TaskResource {
  if (resource === PASS_TASK_RESOURCE) return { kind: 'pass' };
  const lambda = LAMBDA_FUNCTION_ARN.exec(resource);
  if (lambda?.[1]) return { kind: 'lambda-function', functionName: lambda[1] };
  const integration = SERVICE_INTEGRATION.exec(resource);
  if (integration?.[1] === 'lambda' && integration[2] === 'invoke') return { kind: 'lambda-invoke' };
  if (integration?.[1] === 'lambda' && integration[2] === 'invoke.waitForTaskToken') {
    return { kind: 'lambda-invoke-wait-for-token' };
  }
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

/** Invokes a Lambda function by name with a payload, resolving with what it returned. */
export type InvokeFunction = (functionName: string, payload: unknown) => Promise<unknown>;

/** What a token task needs from the runner, besides its state. */
export interface TokenTaskRequest {
  stateName: string;
  state: AslState;
  resourceType: string;
  resource: string;
  /** Effective Parameters with context placeholders (the token's among them) still in place. */
  parameters: unknown;
  /** Fills the placeholders, `$$.Task.Token` with `token`. */
  fill: (parameters: unknown, token: string) => unknown;
}

export interface TaskHandlerDeps {
  region: string;
  invokeFunction: InvokeFunction;
  /** Appends to the execution's history (a no-op once the run is detached). */
  record: (event: NewHistoryEvent) => void;
  /**
   * Resolves once the library's already-dispatched events (StateEntered, ...) are in the history,
   * so the task events this handler records land after them.
   */
  settled: () => Promise<void>;
  /** Resolves once the history so far is on disk, so a restart resumes no earlier than this Task. */
  durable: () => Promise<void>;
  /** Values for a state's context placeholders; called after `settled()`. */
  contextValues: (stateName: string) => ContextValues;
  /** Runs a `lambda:invoke.waitForTaskToken` task (see task-tokens.ts). */
  waitForTaskToken: (request: TokenTaskRequest) => Promise<unknown>;
}

/**
 * A local handler for every Task state (nested ones included), keyed by state name. `context`
 * comes from `rewriteContextPaths`, whose output `definition` must be.
 */
export function buildTaskHandlers(
  definition: AslDefinition,
  context: RewrittenContext['uses'],
  deps: TaskHandlerDeps,
): Record<string, TaskHandler> {
  const handlers: Record<string, TaskHandler> = {};
  for (const [name, { state }] of collectStates(definition)) {
    if (state.Type !== 'Task') continue;
    const resource = typeof state.Resource === 'string' ? state.Resource : '';
    const handler = createHandler(name, state, resource, classifyResource(resource), deps);
    const usesContext = context.has(name);
    handlers[name] = async (input) => {
      await deps.settled();
      await deps.durable();
      const values = usesContext ? deps.contextValues(name) : {};
      return handler(input, (parameters, token) =>
        usesContext ? fillContext(parameters, { ...values, '$$.Task.Token': token }) : parameters,
      );
    };
  }
  return handlers;
}

type Fill = (parameters: unknown, token?: string) => unknown;

function createHandler(
  stateName: string,
  state: AslState,
  resourceArn: string,
  target: TaskResource,
  deps: TaskHandlerDeps,
): (input: unknown, fill: Fill) => Promise<unknown> {
  switch (target.kind) {
    case 'lambda-function':
      return async (raw, fill) => {
        const input = fill(raw);
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
      return async (raw, fill) => {
        const input = fill(raw);
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
    case 'lambda-invoke-wait-for-token':
      return (parameters, fill) =>
        deps.waitForTaskToken({
          stateName,
          state,
          resourceType: 'lambda',
          resource: 'invoke.waitForTaskToken',
          parameters,
          fill: (value, token) => fill(value, token),
        });
    case 'pass':
      // A Pass state with context references (see context-rewrite.ts): its result is its input.
      return async (raw, fill) => fill(raw);
    case 'unsupported':
      return async () => {
        const cause =
          `State '${stateName}' uses the unsupported resource '${resourceArn}': the local Step Functions ` +
          'endpoint runs Lambda functions only (a function ARN, arn:aws:states:::lambda:invoke or ' +
          'arn:aws:states:::lambda:invoke.waitForTaskToken)';
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
export function toJsonValue(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

function toJsonText(value: unknown): string {
  return JSON.stringify(value ?? null);
}
