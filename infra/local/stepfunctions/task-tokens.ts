import { randomBytes } from 'node:crypto';
import type { AslState } from '#workflows/asl/asl.ts';
import { statesTimeout } from '#workflows/asl/library-timeout.ts';
import { SfnError } from './errors.ts';
import type { ExecutionRecord, NewHistoryEvent, TaskOutcome, TaskTokenRecord } from './records.ts';
import type { Store } from './store.ts';
import { functionNameOf, type InvokeFunction, TaskFailure, toJsonValue, toTaskFailure } from './task-resources.ts';
import { rescaleDue, scaledDue, sleepUntil } from './timers.ts';

/** The real service's TimeoutSeconds when a Task sets none (about 3.2 years). */
const DEFAULT_TIMEOUT_SECONDS = 99_999_999;
const MAX_TOKEN_LENGTH = 2048;

/** One run of a token task, as the runner hands it over. */
export interface TokenTask {
  execution: ExecutionRecord;
  stateName: string;
  state: AslState;
  /** For history events: `lambda` and `invoke.waitForTaskToken`. */
  resourceType: string;
  resource: string;
  /** The state's effective Parameters, context placeholders still in place. */
  parameters: unknown;
  /** Fills the context placeholders, the task token among them. */
  fill: (parameters: unknown, token: string) => unknown;
  /** Tokens this run already owns, so two identical Map iterations never share one. */
  claimed: Set<string>;
  /** Aborted when the run stops or the endpoint closes: from then on, no side effects. */
  signal: AbortSignal;
  record: (event: NewHistoryEvent) => void;
}

export interface TaskTokensOptions {
  store: Store;
  region: string;
  /** Simulated seconds per real second, applied to TimeoutSeconds and HeartbeatSeconds. */
  timeScale: number;
  invokeFunction: InvokeFunction;
}

type Ending = TaskOutcome | { kind: 'timeout' } | { kind: 'heartbeat' };

/**
 * Token-based callbacks: `lambda:invoke.waitForTaskToken` tasks wait here for SendTaskSuccess,
 * SendTaskFailure or their (scaled, chunked, persisted) TimeoutSeconds / HeartbeatSeconds.
 */
export class TaskTokens {
  private readonly options: TaskTokensOptions;
  private readonly wakers = new Map<string, () => void>();

  constructor(options: TaskTokensOptions) {
    this.options = options;
  }

  /** SendTaskSuccess: `output` is already checked to be JSON. */
  succeed(token: string, output: string): void {
    const { execution, record } = this.open(token);
    record.outcome = { kind: 'success', output };
    this.changed(token, execution);
  }

  /** SendTaskFailure. */
  fail(token: string, error: string | undefined, cause: string | undefined): void {
    const { execution, record } = this.open(token);
    record.outcome = { kind: 'failure', error, cause };
    this.changed(token, execution);
  }

  /** SendTaskHeartbeat: restarts the HeartbeatSeconds clock (never extends TimeoutSeconds). */
  heartbeat(token: string): void {
    const { execution, record: task } = this.open(token);
    if (task.heartbeatSeconds === undefined) return;
    const scale = execution.timeScale || this.options.timeScale;
    task.heartbeatDue = scaledDue(task.heartbeatSeconds * 1000, scale);
    this.changed(token, execution);
  }

  /** Closes every waiting task of an execution that ended, so late callbacks get TaskTimedOut. */
  closeAll(execution: ExecutionRecord): void {
    for (const task of Object.values(execution.taskTokens)) task.status = 'CLOSED';
  }

  /**
   * Runs a token task: schedule it with a new token (or take over the waiting one a previous run
   * of this execution left, keeping its token and deadlines), invoke the function once with the
   * token in its payload, then wait for a callback or a timeout. History follows the real
   * service: TaskScheduled, TaskStarted, TaskSubmitted, then TaskSucceeded / TaskFailed /
   * TaskTimedOut. Resolves to undefined, without side effects, once `task.signal` aborts.
   */
  async run(task: TokenTask): Promise<unknown> {
    if (task.signal.aborted) return undefined;
    const { state, stateName } = task;
    if (state.TimeoutSecondsPath !== undefined || state.HeartbeatSecondsPath !== undefined) {
      throw new TaskFailure(
        'States.Runtime',
        `State '${stateName}': the local endpoint supports TimeoutSeconds and HeartbeatSeconds on .waitForTaskToken ` +
          'tasks, not TimeoutSecondsPath or HeartbeatSecondsPath',
        { recoverable: false },
      );
    }
    const inputKey = JSON.stringify(task.parameters ?? null);
    const token = this.resume(task, inputKey) ?? this.schedule(task, inputKey);
    const record = task.execution.taskTokens[token] as TaskTokenRecord;
    // A callback may have arrived while the endpoint was down; then the function ran already.
    if (!record.invoked && record.outcome === undefined) {
      // The token reaches the disk before the function sees it: a restart must not mint another.
      await this.options.store.durable();
      if (task.signal.aborted) return undefined;
      await this.invoke(task, record, task.fill(task.parameters, token));
      if (task.signal.aborted) return undefined;
    }
    const ending = await this.ending(task, token, record);
    if (ending === undefined) return undefined;
    return this.settle(task, record, ending);
  }

  private resume(task: TokenTask, inputKey: string): string | undefined {
    const { store } = this.options;
    const timeScale = task.execution.timeScale ?? this.options.timeScale;
    for (const [token, record] of Object.entries(task.execution.taskTokens)) {
      if (record.status !== 'WAITING' || record.stateName !== task.stateName || record.inputKey !== inputKey) continue;
      if (task.claimed.has(token)) continue;
      task.claimed.add(token);
      record.timeoutDue = rescaleDue(record.timeoutDue, timeScale);
      if (record.heartbeatDue) record.heartbeatDue = rescaleDue(record.heartbeatDue, timeScale);
      store.executionChanged(task.execution);
      return token;
    }
    return undefined;
  }

  private schedule(task: TokenTask, inputKey: string): string {
    const { store, region } = this.options;
    const { execution, state } = task;
    const timeScale = execution.timeScale ?? this.options.timeScale;
    const token = newTaskToken(execution.arn);
    const timeoutSeconds = typeof state.TimeoutSeconds === 'number' ? state.TimeoutSeconds : DEFAULT_TIMEOUT_SECONDS;
    const heartbeatSeconds = typeof state.HeartbeatSeconds === 'number' ? state.HeartbeatSeconds : undefined;
    execution.taskTokens[token] = {
      stateName: task.stateName,
      inputKey,
      status: 'WAITING',
      invoked: false,
      timeoutDue: scaledDue(timeoutSeconds * 1000, timeScale),
      heartbeatSeconds,
      heartbeatDue: heartbeatSeconds === undefined ? undefined : scaledDue(heartbeatSeconds * 1000, timeScale),
    };
    task.claimed.add(token);
    store.executionChanged(execution);
    task.record({
      type: 'TaskScheduled',
      taskScheduledEventDetails: {
        resourceType: task.resourceType,
        resource: task.resource,
        region,
        parameters: JSON.stringify(task.fill(task.parameters, token) ?? null),
        timeoutInSeconds: typeof state.TimeoutSeconds === 'number' ? state.TimeoutSeconds : undefined,
        heartbeatInSeconds: heartbeatSeconds,
      },
    });
    return token;
  }

  /** Invokes the function with the token in its payload; a thrown error fails the task. */
  private async invoke(task: TokenTask, record: TaskTokenRecord, filled: unknown): Promise<void> {
    const { resourceType, resource } = task;
    const parameters = (filled ?? {}) as { FunctionName?: unknown; Payload?: unknown };
    const fail = (failure: TaskFailure): TaskFailure => {
      record.status = 'CLOSED';
      this.options.store.executionChanged(task.execution);
      task.record({
        type: 'TaskFailed',
        taskFailedEventDetails: { resourceType, resource, error: failure.name, cause: failure.message },
      });
      return failure;
    };
    if (typeof parameters.FunctionName !== 'string') {
      throw fail(
        new TaskFailure('States.TaskFailed', `State '${task.stateName}': lambda:invoke needs Parameters.FunctionName`),
      );
    }
    task.record({ type: 'TaskStarted', taskStartedEventDetails: { resourceType, resource } });
    let payload: unknown;
    try {
      payload = toJsonValue(
        await this.options.invokeFunction(functionNameOf(parameters.FunctionName), parameters.Payload ?? {}),
      );
    } catch (error) {
      if (task.signal.aborted) return;
      throw fail(toTaskFailure(error));
    }
    record.invoked = true;
    this.options.store.executionChanged(task.execution);
    task.record({
      type: 'TaskSubmitted',
      taskSubmittedEventDetails: {
        resourceType,
        resource,
        output: JSON.stringify({ ExecutedVersion: '$LATEST', Payload: payload, StatusCode: 200 }),
        outputDetails: { truncated: false },
      },
    });
  }

  /** Waits for a callback or a deadline; undefined once the run is aborted. */
  private async ending(task: TokenTask, token: string, record: TaskTokenRecord): Promise<Ending | undefined> {
    for (;;) {
      if (task.signal.aborted) return undefined;
      if (record.outcome) return record.outcome;
      const now = Date.now();
      if (now >= record.timeoutDue.dueAt) return { kind: 'timeout' };
      if (record.heartbeatDue && now >= record.heartbeatDue.dueAt) return { kind: 'heartbeat' };
      const wake = new AbortController();
      this.wakers.set(token, () => wake.abort());
      try {
        const dueAt = Math.min(record.timeoutDue.dueAt, record.heartbeatDue?.dueAt ?? Number.POSITIVE_INFINITY);
        await sleepUntil(dueAt, AbortSignal.any([task.signal, wake.signal]));
      } finally {
        this.wakers.delete(token);
      }
    }
  }

  private async settle(task: TokenTask, record: TaskTokenRecord, ending: Ending): Promise<unknown> {
    const { resourceType, resource, state } = task;
    record.status = 'CLOSED';
    this.options.store.executionChanged(task.execution);
    switch (ending.kind) {
      case 'success':
        task.record({
          type: 'TaskSucceeded',
          taskSucceededEventDetails: {
            resourceType,
            resource,
            output: ending.output,
            outputDetails: { truncated: false },
          },
        });
        return JSON.parse(ending.output);
      case 'failure': {
        // Without an error name, States.TaskFailed keeps the failure matchable by Retry/Catch.
        const error = ending.error || 'States.TaskFailed';
        task.record({
          type: 'TaskFailed',
          taskFailedEventDetails: { resourceType, resource, error: ending.error, cause: ending.cause },
        });
        throw new TaskFailure(error, ending.cause ?? '');
      }
      case 'timeout':
      case 'heartbeat': {
        const heartbeat = ending.kind === 'heartbeat';
        const error = heartbeat ? heartbeatErrorName(state) : 'States.Timeout';
        const cause = heartbeat
          ? `The task sent no heartbeat for longer than its HeartbeatSeconds of ${String(state.HeartbeatSeconds)}`
          : `The task did not complete within its TimeoutSeconds of ${String(state.TimeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS)}`;
        task.record({ type: 'TaskTimedOut', taskTimedOutEventDetails: { resourceType, resource, error, cause } });
        throw await statesTimeout(error, cause);
      }
    }
  }

  /** The task a SendTask* call addresses, or the documented error. */
  private open(token: string): { execution: ExecutionRecord; record: TaskTokenRecord } {
    if (token.length > MAX_TOKEN_LENGTH) {
      throw new SfnError(
        'ValidationException',
        `Value at 'taskToken' must have length less than or equal to ${MAX_TOKEN_LENGTH}`,
      );
    }
    const executionArn = executionOfTaskToken(token);
    if (executionArn === undefined) throw new SfnError('InvalidToken', 'Invalid Token: the task token is malformed');
    const execution = this.options.store.executions.get(executionArn);
    const record = execution?.taskTokens[token];
    if (!execution || !record) throw new SfnError('TaskDoesNotExist', 'Task Does Not Exist: no task has this token');
    if (record.status !== 'WAITING' || record.outcome !== undefined || execution.status !== 'RUNNING') {
      throw new SfnError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
    }
    return { execution, record };
  }

  private changed(token: string, execution: ExecutionRecord): void {
    this.options.store.executionChanged(execution);
    this.wakers.get(token)?.();
  }
}

/**
 * States.Timeout, unless the state's Retry or Catch names States.HeartbeatTimeout: the library
 * matches one error name per rule, and a rule naming the specific error should win.
 */
function heartbeatErrorName(state: AslState): string {
  const rules = [state.Retry, state.Catch].flatMap((list) => (Array.isArray(list) ? list : []));
  const specific = rules.some((rule: { ErrorEquals?: unknown }) =>
    Array.isArray(rule.ErrorEquals) ? rule.ErrorEquals.includes('States.HeartbeatTimeout') : false,
  );
  return specific ? 'States.HeartbeatTimeout' : 'States.Timeout';
}

/** An opaque token that still names its execution, so lookups need no global index. */
export function newTaskToken(executionArn: string): string {
  const body = { v: 1, e: executionArn, n: randomBytes(24).toString('base64url') };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

/** The execution ARN inside a token from `newTaskToken`, or undefined for a malformed token. */
export function executionOfTaskToken(token: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  try {
    const body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      v?: unknown;
      e?: unknown;
      n?: unknown;
    };
    return body.v === 1 && typeof body.e === 'string' && typeof body.n === 'string' ? body.e : undefined;
  } catch {
    return undefined;
  }
}
