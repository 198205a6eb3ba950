import type { ScaledDue } from './timers.ts';

/**
 * What the local endpoint keeps (see store.ts): state machines with their versions and aliases,
 * and executions with their history, pending waits and task tokens.
 */

export type StateMachineType = 'STANDARD' | 'EXPRESS';

export interface StateMachineRecord {
  arn: string;
  name: string;
  type: StateMachineType;
  roleArn: string;
  definition: string;
  /** Epoch ms, like every date in the store; the protocol layer converts to epoch seconds. */
  creationDate: number;
  updateDate?: number;
  revisionId: string;
  /** Published versions by number (as a string key); deleted numbers are never reused. */
  versions: Record<string, StateMachineVersionRecord>;
  /** The highest version number ever published, 0 before the first. */
  lastVersion: number;
  aliases: Record<string, StateMachineAliasRecord>;
  /** From the `tend:time-scale` tag at creation: this machine's executions use it instead of the endpoint's. */
  timeScale?: number;
}

/** An immutable snapshot of one revision of a state machine. */
export interface StateMachineVersionRecord {
  version: number;
  definition: string;
  roleArn: string;
  revisionId: string;
  description?: string;
  creationDate: number;
}

export interface RoutingEntry {
  stateMachineVersionArn: string;
  /** Percent of StartExecution calls routed to this version; the entries sum to 100. */
  weight: number;
}

export interface StateMachineAliasRecord {
  name: string;
  description?: string;
  routingConfiguration: RoutingEntry[];
  creationDate: number;
  updateDate?: number;
}

export type TaskOutcome = { kind: 'success'; output: string } | { kind: 'failure'; error?: string; cause?: string };

/** A `.waitForTaskToken` task, persisted with its execution under its token. */
export interface TaskTokenRecord {
  stateName: string;
  /** The task's Parameters before the token was filled in: how a resumed run finds its token. */
  inputKey: string;
  /** CLOSED once it succeeded, failed or timed out, or its execution ended. */
  status: 'WAITING' | 'CLOSED';
  /** True once the function returned, so a resumed run does not invoke it again. */
  invoked: boolean;
  timeoutDue: ScaledDue;
  heartbeatSeconds?: number;
  heartbeatDue?: ScaledDue;
  /** Set by SendTaskSuccess / SendTaskFailure; possibly before the waiting run has resumed. */
  outcome?: TaskOutcome;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** A history event in API shape except `timestamp`, kept in epoch ms. */
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

export type NewHistoryEvent = { type: string; timestamp?: number } & Record<string, unknown>;

export interface ExecutionRecord {
  arn: string;
  name: string;
  /** Always the unqualified state machine ARN. */
  stateMachineArn: string;
  /** Set when the execution was started through a version ARN or an alias. */
  stateMachineVersionArn?: string;
  /** Set when the execution was started through an alias. */
  stateMachineAliasArn?: string;
  /** The definition the execution started with; updates to the machine do not affect it. */
  definition: string;
  roleArn: string;
  input: string;
  /** The machine's own time scale (tag `tend:time-scale`), when it has one. */
  timeScale?: number;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  history: HistoryEvent[];
  /** Rewritten Waits in progress, by state name, so a restart resumes only the remaining time. */
  pendingWaits: Record<string, ScaledDue>;
  /** Deadline from the definition's top-level TimeoutSeconds. */
  timeoutDue?: ScaledDue;
  /** `.waitForTaskToken` tasks by token: waiting ones survive restarts, closed ones answer TaskTimedOut. */
  taskTokens: Record<string, TaskTokenRecord>;
}
