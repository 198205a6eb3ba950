import '#workflows/asl/polyfill.ts';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import {
  type AslDefinition,
  type AslState,
  collectStates,
  type LocalHandlers,
  mapStates,
  type StateInfo,
} from '#workflows/asl/asl.ts';
import { rewriteContextPaths, waitsForTaskToken } from '#workflows/asl/context-rewrite.ts';
import { MAX_TIMER_SECONDS, rewriteWaits, type WaitRequest } from '#workflows/asl/wait-rewrite.ts';
import { contextValues, historyEventFor, type LibraryEvent, type ResumePoint, resumePoint } from './history.ts';
import type { ExecutionRecord, ExecutionStatus, NewHistoryEvent } from './records.ts';
import type { Store } from './store.ts';
import { buildTaskHandlers, type InvokeFunction } from './task-resources.ts';
import type { TaskTokens } from './task-tokens.ts';
import { rescaleDue, type ScaledDue, scaledDue, sleepUntil } from './timers.ts';

export interface RunnerOptions {
  store: Store;
  region: string;
  /** Simulated seconds per real second for Waits, retry intervals and execution timeouts. */
  timeScale: number;
  invokeFunction: InvokeFunction;
  /** Runs `.waitForTaskToken` tasks and closes them when their execution ends. */
  tokens: TaskTokens;
  log: (message: string, fields?: Record<string, unknown>) => void;
}

interface ActiveRun {
  /** Aborts this run's waits and timers. */
  readonly controller: AbortController;
  abortLibrary: () => void;
  /** Once set, nothing from this run reaches the store (it finished, was stopped or closed). */
  detached: boolean;
}

interface Outcome {
  status: Exclude<ExecutionStatus, 'RUNNING'>;
  output?: string;
  error?: string;
  cause?: string;
}

/**
 * Runs executions with aws-local-stepfunctions and records their history in the store.
 * Timing the library cannot do safely (Waits, the execution timeout, retry intervals) is done
 * here with scaled, chunked timers so it can be sped up and resumed.
 */
export class ExecutionRunner {
  private readonly options: RunnerOptions;
  private readonly runs = new Map<string, ActiveRun>();

  constructor(options: RunnerOptions) {
    this.options = options;
  }

  /** Runs a new execution; its ExecutionStarted event is already in the history. */
  start(execution: ExecutionRecord): void {
    this.launch(execution, JSON.parse(execution.definition) as AslDefinition, undefined);
  }

  /**
   * Continues an execution that was RUNNING when the process stopped. Limitation: it restarts at
   * the last *top-level* state it entered, with that state's input. A Wait there keeps only its
   * remaining time, but a Task there runs again (at-least-once, like a retry), and a Parallel or
   * Map restarts all its branches (nested Waits still keep their remaining time, by state name).
   * A `.waitForTaskToken` Task there keeps its token and remaining timeouts, and its function is
   * not invoked again if it had returned (see task-tokens.ts).
   * `$$.Execution.Input` in the resumed run is that state's input, a library limitation.
   */
  resume(execution: ExecutionRecord): void {
    const definition = JSON.parse(execution.definition) as AslDefinition;
    const states = collectStates(definition);
    const from = resumePoint(execution.history, (name) => states.get(name)?.topLevel === true);
    this.options.log('execution resumed', { executionArn: execution.arn, stateName: from?.stateName });
    this.launch(execution, definition, from);
  }

  /** StopExecution: ends the run now and records ExecutionAborted. */
  stop(execution: ExecutionRecord, error?: string, cause?: string): void {
    this.finish(
      execution,
      { status: 'ABORTED', error, cause },
      {
        type: 'ExecutionAborted',
        executionAbortedEventDetails: { error, cause },
      },
    );
  }

  /** Stops every run without recording anything, so the executions resume on the next start. */
  closeAll(): void {
    for (const [arn, run] of this.runs) this.detach(arn, run);
  }

  private launch(execution: ExecutionRecord, original: AslDefinition, from: ResumePoint | undefined): void {
    try {
      this.begin(execution, original, from);
    } catch (error) {
      this.failUnexpectedly(execution, error);
    }
  }

  /** A bug or an unusable definition must fail the execution, not the process or the request. */
  private failUnexpectedly(execution: ExecutionRecord, error: unknown): void {
    this.options.log('execution runner failed', { executionArn: execution.arn, error: String(error) });
    if (execution.status !== 'RUNNING') return;
    const cause = `The local Step Functions runner failed: ${String(error)}`;
    this.finish(
      execution,
      { status: 'FAILED', error: 'States.Runtime', cause },
      {
        type: 'ExecutionFailed',
        executionFailedEventDetails: { error: 'States.Runtime', cause },
      },
    );
  }

  private begin(execution: ExecutionRecord, original: AslDefinition, from: ResumePoint | undefined): void {
    const { store, region, invokeFunction, tokens } = this.options;
    const timeScale = this.scaleOf(execution);
    const states = collectStates(original);
    const run: ActiveRun = { controller: new AbortController(), abortLibrary: () => {}, detached: false };
    this.runs.set(execution.arn, run);

    const resumedWaits = new Map<string, ScaledDue>(
      Object.entries(execution.pendingWaits).map(([name, due]) => [name, rescaleDue(due, timeScale)]),
    );
    const context = rewriteContextPaths(original);
    const waits = rewriteWaits(context.definition, {
      waitUntil: (request) => this.waitFor(execution, run, resumedWaits, request),
    });
    const record = (event: NewHistoryEvent): void => {
      if (!run.detached) store.appendHistory(execution, event);
    };
    const claimedTokens = new Set<string>();
    const tasks = buildTaskHandlers(context.definition, context.uses, {
      region,
      invokeFunction,
      record,
      // The library's events reach us through an async generator, drained in microtasks.
      settled: () => new Promise((resolve) => setImmediate(resolve)),
      durable: () => store.durable(),
      contextValues: (stateName) => contextValues(execution, stateName),
      waitForTaskToken: (request) =>
        tokens.run({ ...request, execution, claimed: claimedTokens, signal: run.controller.signal, record }),
    });

    const machine = new StateMachine(
      forLibrary(waits.definition, from?.stateName) as unknown as StateMachineDefinition,
      {
        validationOptions: { noValidate: true },
      },
    );
    const libraryRun = machine.run(from ? from.input : JSON.parse(execution.input), {
      noThrowOnAbort: true,
      overrides: {
        taskResourceLocalHandlers: { ...tasks, ...waits.handlers } as LocalHandlers,
        retryIntervalOverrides: this.retryIntervals(states, timeScale),
      },
      context: {
        Execution: { Id: execution.arn, Name: execution.name, RoleArn: execution.roleArn },
        StateMachine: { Id: execution.stateMachineArn, Name: execution.stateMachineArn.split(':')[6] },
      },
    });
    run.abortLibrary = libraryRun.abort;
    // Failures arrive as ExecutionFailed events; the rejection itself carries nothing more.
    const result = libraryRun.result.then(
      () => undefined,
      () => undefined,
    );
    this.scheduleTimeout(execution, run, original);
    this.follow(execution, run, libraryRun.eventLogs, result, states, from !== undefined).catch((error: unknown) => {
      if (!run.detached) this.failUnexpectedly(execution, error);
    });
  }

  private async follow(
    execution: ExecutionRecord,
    run: ActiveRun,
    events: AsyncGenerator<LibraryEvent>,
    result: Promise<void>,
    states: Map<string, StateInfo>,
    resumed: boolean,
  ): Promise<void> {
    const stateType = (name: string): string => states.get(name)?.state.Type ?? 'Task';
    // A resumed run enters its first state again; the history already shows it.
    let skipEntered = resumed;
    for await (const event of events) {
      if (run.detached) continue;
      if (event.type === 'ExecutionSucceeded') {
        const output = JSON.stringify(event.output ?? null);
        this.finish(
          execution,
          { status: 'SUCCEEDED', output },
          {
            type: 'ExecutionSucceeded',
            executionSucceededEventDetails: { output, outputDetails: { truncated: false } },
          },
        );
      } else if (event.type === 'ExecutionFailed') {
        const error = event.Error;
        const cause = typeof event.Cause === 'string' ? event.Cause : JSON.stringify(event.Cause);
        this.finish(
          execution,
          { status: 'FAILED', error, cause },
          {
            type: 'ExecutionFailed',
            executionFailedEventDetails: { error, cause },
          },
        );
      } else if (event.type === 'StateEntered' && skipEntered) {
        skipEntered = false;
      } else {
        const entry = historyEventFor(event, stateType);
        if (entry) this.options.store.appendHistory(execution, entry);
      }
    }
    await result;
    if (!run.detached) {
      this.finish(
        execution,
        { status: 'FAILED', error: 'States.Runtime', cause: 'The execution ended without a result' },
        {
          type: 'ExecutionFailed',
          executionFailedEventDetails: { error: 'States.Runtime', cause: 'The execution ended without a result' },
        },
      );
    }
  }

  private finish(execution: ExecutionRecord, outcome: Outcome, event: NewHistoryEvent): void {
    const { store, log } = this.options;
    const run = this.runs.get(execution.arn);
    if (run) this.detach(execution.arn, run);
    store.appendHistory(execution, event);
    execution.status = outcome.status;
    execution.stopDate = Date.now();
    if (outcome.output !== undefined) execution.output = outcome.output;
    if (outcome.error !== undefined) execution.error = outcome.error;
    if (outcome.cause !== undefined) execution.cause = outcome.cause;
    execution.pendingWaits = {};
    delete execution.timeoutDue;
    this.options.tokens.closeAll(execution);
    store.executionChanged(execution);
    log(`execution ${outcome.status.toLowerCase().replace('_', ' ')}`, {
      executionArn: execution.arn,
      error: outcome.error,
    });
  }

  private detach(arn: string, run: ActiveRun): void {
    run.detached = true;
    run.controller.abort();
    run.abortLibrary();
    this.runs.delete(arn);
  }

  /** The execution's machine time scale (tag `tend:time-scale`), else the endpoint's. */
  private scaleOf(execution: ExecutionRecord): number {
    return execution.timeScale ?? this.options.timeScale;
  }

  /** The `waitUntil` of rewritten Waits: a scaled, persisted deadline that survives restarts. */
  private async waitFor(
    execution: ExecutionRecord,
    run: ActiveRun,
    resumedWaits: Map<string, ScaledDue>,
    request: WaitRequest,
  ): Promise<void> {
    const due = resumedWaits.get(request.stateName) ?? scaledDue(request.delayMs, this.scaleOf(execution));
    resumedWaits.delete(request.stateName);
    if (run.detached) return;
    execution.pendingWaits[request.stateName] = due;
    this.options.store.executionChanged(execution);
    // The Wait's entry (its resume point) and its deadline reach the disk before it starts waiting.
    await this.options.store.durable();
    const elapsed = await sleepUntil(due.dueAt, run.controller.signal);
    if (elapsed && !run.detached) {
      delete execution.pendingWaits[request.stateName];
      this.options.store.executionChanged(execution);
    }
  }

  /**
   * The top-level TimeoutSeconds, enforced here: the library's single setTimeout would overflow
   * past ~24.8 days and could be neither scaled nor resumed.
   */
  private scheduleTimeout(execution: ExecutionRecord, run: ActiveRun, definition: AslDefinition): void {
    if (typeof definition.TimeoutSeconds !== 'number') return;
    const { store } = this.options;
    const timeScale = this.scaleOf(execution);
    const due = execution.timeoutDue
      ? rescaleDue(execution.timeoutDue, timeScale)
      : scaledDue(definition.TimeoutSeconds * 1000, timeScale, execution.startDate);
    execution.timeoutDue = due;
    store.executionChanged(execution);
    void sleepUntil(due.dueAt, run.controller.signal).then((elapsed) => {
      if (!elapsed || run.detached) return;
      const cause = `The execution exceeded its TimeoutSeconds of ${definition.TimeoutSeconds}`;
      this.finish(
        execution,
        { status: 'TIMED_OUT', error: 'States.Timeout', cause },
        {
          type: 'ExecutionTimedOut',
          executionTimedOutEventDetails: { error: 'States.Timeout', cause },
        },
      );
    });
  }

  /**
   * Retry intervals divided by the time scale. The library only takes one fixed interval per
   * retrier, so BackoffRate and jitter are lost when the scale is not 1.
   */
  private retryIntervals(states: Map<string, StateInfo>, timeScale: number): Record<string, number[]> | undefined {
    if (timeScale === 1) return undefined;
    const overrides: Record<string, number[]> = {};
    for (const [name, { state }] of states) {
      if (!Array.isArray(state.Retry)) continue;
      overrides[name] = (state.Retry as { IntervalSeconds?: number; MaxDelaySeconds?: number }[]).map(
        (retrier) =>
          (Math.min(retrier.IntervalSeconds ?? 1, retrier.MaxDelaySeconds ?? Number.POSITIVE_INFINITY) * 1000) /
          timeScale,
      );
    }
    return overrides;
  }
}

/**
 * The definition the library runs: Task timeouts clamped to what a Node timer holds, no top-level
 * TimeoutSeconds (see scheduleTimeout), and StartAt moved when resuming. Token tasks enforce their
 * own scaled timeouts (task-tokens.ts), so the library's single timer gets the longest it can hold.
 */
function forLibrary(definition: AslDefinition, startAt: string | undefined): AslDefinition {
  const clamped = mapStates(definition, (_name, state): AslState => {
    if (waitsForTaskToken(state)) return { ...state, TimeoutSeconds: MAX_TIMER_SECONDS };
    if (state.Type !== 'Task' || typeof state.TimeoutSeconds !== 'number') return state;
    return { ...state, TimeoutSeconds: Math.min(state.TimeoutSeconds, MAX_TIMER_SECONDS) };
  });
  const { TimeoutSeconds: _enforcedByRunner, ...rest } = clamped;
  return { ...rest, StartAt: startAt ?? definition.StartAt };
}
