import '../asl/polyfill.ts';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { type AslDefinition, type AslState, collectStates, type LocalHandlers, mapStates } from '../asl/asl.ts';
import { type ContextValues, fillContext, rewriteContextPaths, waitsForTaskToken } from '../asl/context-rewrite.ts';
import { statesTimeout } from '../asl/library-timeout.ts';
import { MAX_TIMER_SECONDS, rewriteWaits } from '../asl/wait-rewrite.ts';

/**
 * Runs compiled journey ASL with aws-local-stepfunctions on a virtual clock: the same definition
 * Step Functions runs, with every Wait (and every task-token wait) rewritten into a local handler
 * that the simulation resolves by moving its clock, never by sleeping. Lambda Tasks call the
 * `invoke` function given, which runs the real domain code against in-memory stores.
 *
 * One engine per simulated contact; executions inside it are independent. The driver loop:
 *   await engine.idle();            // every execution is waiting or finished
 *   engine.advanceTo(nextMoment);   // wakes waits and token timeouts that are due
 */

export interface EngineHooks {
  /** Runs a Lambda task (the function name as the ASL gives it) and returns its result. */
  invoke(functionName: string, payload: unknown, execution: string): Promise<unknown>;
  /** Called when an execution enters a node-level state (a Task or rewritten Wait). */
  entered?(execution: string, stateName: string, at: Date): void;
  /** A task-token wait ended: resumed with an event, or timed out. */
  tokenSettled?(execution: string, stateName: string, outcome: 'resumed' | 'timed-out', at: Date): void;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

/** How a wait ends: its time came, an event resumed it, or its execution was stopped. */
type Wake = { kind: 'due' } | { kind: 'resumed'; output: unknown } | { kind: 'aborted' };

interface Blocker {
  execution: string;
  dueAt: number;
  /** Set for a task-token wait: resolving it with a value resumes the task. */
  token?: string;
  stateName: string;
  wake: (outcome: Wake) => void;
}

interface Execution {
  name: string;
  status: ExecutionStatus;
  abort: () => void;
  /** Resolves when the run settles. */
  done: Promise<void>;
  blocked: boolean;
  error?: string;
}

/** A Task failure the library matches by name in Retry/Catch. */
export class SimulatedTaskFailure extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
  get isRetryable() {
    return true;
  }
  get isCatchable() {
    return true;
  }
}

export class SimulationEngine {
  private readonly machine: StateMachine;
  private readonly handlers: LocalHandlers;
  private readonly retryOverrides: Record<string, number[]>;
  private readonly executions = new Map<string, Execution>();
  private readonly blockers: Blocker[] = [];
  private readonly tokens = new Map<string, Blocker>();
  private nowMs: number;
  private tokenCounter = 0;
  private wakeIdle: (() => void) | undefined;
  /** The execution a handler is running for (handlers run one at a time per execution). */
  private readonly current = new Map<string, string>();

  constructor(
    definition: AslDefinition,
    private readonly hooks: EngineHooks,
    start: Date,
  ) {
    this.nowMs = start.getTime();
    const states = collectStates(definition);
    const context = rewriteContextPaths(definition);
    const waits = rewriteWaits(context.definition, {
      now: () => this.nowMs,
      waitUntil: async (request) => {
        const execution = this.executionOf(request.stateName);
        this.hooks.entered?.(execution, request.stateName, new Date(this.nowMs));
        await new Promise<void>((resolve) =>
          this.block({ execution, dueAt: request.dueAt, stateName: request.stateName, wake: () => resolve() }),
        );
      },
    });
    // Task timeouts are enforced here in virtual time, so the library's real timers never fire.
    const forLibrary = mapStates(
      waits.definition,
      (_name, state): AslState => (state.Type === 'Task' ? { ...state, TimeoutSeconds: MAX_TIMER_SECONDS } : state),
    );
    this.machine = new StateMachine(forLibrary as unknown as StateMachineDefinition, {
      validationOptions: { noValidate: true },
    });
    this.handlers = { ...(waits.handlers as LocalHandlers) };
    this.retryOverrides = {};
    for (const [name, { state }] of states) {
      if (Array.isArray(state.Retry)) this.retryOverrides[name] = (state.Retry as unknown[]).map(() => 0);
      if (state.Type !== 'Task') continue;
      const uses = context.uses.get(name);
      if (waitsForTaskToken(state)) {
        this.handlers[name] = ((input: unknown) => this.tokenTask(name, state, input, uses !== undefined)) as never;
      } else {
        this.handlers[name] = ((input: unknown) => this.lambdaTask(name, String(state.Resource), input)) as never;
      }
    }
  }

  now(): Date {
    return new Date(this.nowMs);
  }

  /** Starts an execution; its name must be unique in this engine. */
  start(name: string, input: unknown): void {
    if (this.executions.has(name)) throw new Error(`execution ${name} already exists`);
    // Handlers are keyed by state name, so which execution they serve is tracked per call.
    const handlers: LocalHandlers = {};
    for (const [state, handler] of Object.entries(this.handlers)) {
      handlers[state] = (async (payload: unknown) => {
        this.current.set(state, name);
        return (handler as (p: unknown) => Promise<unknown>)(payload);
      }) as never;
    }
    // The record exists before the run: the library may reach the first Wait synchronously.
    const execution: Execution = { name, status: 'RUNNING', abort: () => {}, blocked: false, done: Promise.resolve() };
    this.executions.set(name, execution);
    const run = this.machine.run(input as never, {
      noThrowOnAbort: true,
      overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides: this.retryOverrides },
      context: { Execution: { Id: name, Name: name, StartTime: this.now().toISOString() } } as never,
    });
    execution.abort = run.abort;
    execution.done = run.result.then(
      () => {
        if (execution.status === 'RUNNING') execution.status = 'SUCCEEDED';
      },
      (error: unknown) => {
        if (execution.status !== 'RUNNING') return;
        execution.status = 'FAILED';
        execution.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      },
    );
    void execution.done.then(() => this.notify());
  }

  status(name: string): ExecutionStatus | undefined {
    return this.executions.get(name)?.status;
  }

  error(name: string): string | undefined {
    return this.executions.get(name)?.error;
  }

  /** StopExecution: ends it wherever it waits. */
  stop(name: string): void {
    const execution = this.executions.get(name);
    if (execution?.status !== 'RUNNING') return;
    execution.status = 'ABORTED';
    this.release((b) => b.execution === name);
    execution.abort();
    this.notify();
  }

  /** SendTaskSuccess: `gone` when the token's task is no longer waiting. */
  resumeToken(token: string, output: unknown): 'resumed' | 'gone' {
    const blocker = this.tokens.get(token);
    if (!blocker) return 'gone';
    this.tokens.delete(token);
    this.blockers.splice(this.blockers.indexOf(blocker), 1);
    this.markRunning(blocker.execution);
    this.hooks.tokenSettled?.(blocker.execution, blocker.stateName, 'resumed', this.now());
    blocker.wake({ kind: 'resumed', output });
    return 'resumed';
  }

  /** When the next wait or token timeout is due, if anything waits. */
  nextWakeAt(): Date | undefined {
    let first: number | undefined;
    for (const b of this.blockers) if (first === undefined || b.dueAt < first) first = b.dueAt;
    return first === undefined ? undefined : new Date(first);
  }

  /** Moves the clock forward and wakes everything due by then, earliest first. */
  advanceTo(at: Date): void {
    const t = at.getTime();
    if (t > this.nowMs) this.nowMs = t;
    const due = this.blockers.filter((b) => b.dueAt <= this.nowMs).sort((a, b) => a.dueAt - b.dueAt);
    for (const blocker of due) {
      this.blockers.splice(this.blockers.indexOf(blocker), 1);
      if (blocker.token) {
        this.tokens.delete(blocker.token);
        this.hooks.tokenSettled?.(blocker.execution, blocker.stateName, 'timed-out', this.now());
      }
      this.markRunning(blocker.execution);
      blocker.wake({ kind: 'due' });
    }
  }

  /** Resolves when every execution waits (on a wait or a token) or has finished. */
  async idle(): Promise<void> {
    for (;;) {
      // Let the library's own microtasks and event-log generator catch up.
      await new Promise((resolve) => setImmediate(resolve));
      const busy = [...this.executions.values()].some((e) => e.status === 'RUNNING' && !e.blocked);
      if (!busy) return;
      await new Promise<void>((resolve) => {
        this.wakeIdle = resolve;
      });
    }
  }

  /** Executions still running (waiting) at the end of a simulation. */
  running(): string[] {
    return [...this.executions.values()].filter((e) => e.status === 'RUNNING').map((e) => e.name);
  }

  /** Aborts everything (end of a simulation) and waits for the runs to settle. */
  async close(): Promise<void> {
    for (const execution of this.executions.values()) {
      if (execution.status === 'RUNNING') execution.abort();
    }
    this.release(() => true);
    await Promise.all([...this.executions.values()].map((e) => e.done));
  }

  /**
   * Ends the waits of stopped executions: each handler settles, so the library clears its own
   * Task timer (a pending one would keep the process alive for weeks).
   */
  private release(which: (blocker: Blocker) => boolean) {
    for (let i = this.blockers.length - 1; i >= 0; i--) {
      const blocker = this.blockers[i] as Blocker;
      if (!which(blocker)) continue;
      this.blockers.splice(i, 1);
      if (blocker.token) this.tokens.delete(blocker.token);
      blocker.wake({ kind: 'aborted' });
    }
  }

  private executionOf(stateName: string): string {
    const name = this.current.get(stateName);
    if (!name) throw new Error(`no execution is running state ${stateName}`);
    return name;
  }

  private block(blocker: Blocker) {
    this.blockers.push(blocker);
    const execution = this.executions.get(blocker.execution);
    if (execution) execution.blocked = true;
    this.notify();
  }

  private markRunning(name: string) {
    const execution = this.executions.get(name);
    if (execution) execution.blocked = false;
  }

  private notify() {
    const wake = this.wakeIdle;
    this.wakeIdle = undefined;
    wake?.();
  }

  private async lambdaTask(stateName: string, resource: string, input: unknown): Promise<unknown> {
    const execution = this.executionOf(stateName);
    this.hooks.entered?.(execution, stateName, this.now());
    try {
      return await this.hooks.invoke(resource, input, execution);
    } catch (error) {
      throw asTaskFailure(error);
    }
  }

  private async tokenTask(stateName: string, state: AslState, input: unknown, usesContext: boolean): Promise<unknown> {
    const execution = this.executionOf(stateName);
    this.hooks.entered?.(execution, stateName, this.now());
    this.tokenCounter += 1;
    const token = `sim-token-${this.tokenCounter}`;
    const values: ContextValues = { '$$.Task.Token': token, '$$.State.EnteredTime': this.now().toISOString() };
    const parameters = (usesContext ? fillContext(input, values) : input) as {
      FunctionName?: string;
      Payload?: unknown;
    };
    const timeoutSeconds = typeof state.TimeoutSeconds === 'number' ? state.TimeoutSeconds : 99_999_999;
    // The blocker exists before the function runs: the function may resume its own token.
    const settled = new Promise<Wake>((resolve) => {
      const blocker: Blocker = {
        execution,
        dueAt: this.nowMs + timeoutSeconds * 1000,
        token,
        stateName,
        wake: resolve,
      };
      this.tokens.set(token, blocker);
      this.blockers.push(blocker);
    });
    try {
      await this.hooks.invoke(String(parameters.FunctionName ?? ''), parameters.Payload ?? {}, execution);
    } catch (error) {
      const blocker = this.tokens.get(token);
      if (blocker) {
        this.tokens.delete(token);
        this.blockers.splice(this.blockers.indexOf(blocker), 1);
      }
      throw asTaskFailure(error);
    }
    const record = this.executions.get(execution);
    if (record && this.tokens.has(token)) {
      record.blocked = true;
      this.notify();
    }
    const outcome = await settled;
    if (outcome.kind === 'due') throw await statesTimeout('States.Timeout', `no event within ${timeoutSeconds} s`);
    if (outcome.kind === 'aborted') throw new SimulatedTaskFailure('States.Runtime', 'the execution was stopped');
    return outcome.output;
  }
}

function asTaskFailure(error: unknown): Error {
  if (error instanceof SimulatedTaskFailure) return error;
  if (error instanceof Error && error.name === 'States.Timeout') return error;
  const name = error instanceof Error && error.name ? error.name : 'Error';
  return new SimulatedTaskFailure(name, error instanceof Error ? error.message : String(error));
}
