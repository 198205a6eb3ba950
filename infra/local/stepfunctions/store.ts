import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TaskTokenRecord } from './task-tokens.ts';
import type { ScaledDue } from './timers.ts';

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

interface StoreFile {
  version: 1;
  stateMachines: StateMachineRecord[];
  executions: ExecutionRecord[];
}

const FILE_NAME = 'stepfunctions.json';
const FLUSH_DELAY_MS = 100;

/**
 * State machines and executions in memory, optionally persisted to `<dataDir>/stepfunctions.json`.
 * Writes are debounced and atomic (temporary file + rename), so a crash loses at most the last
 * debounce window and never leaves a torn file.
 */
export class Store {
  readonly stateMachines = new Map<string, StateMachineRecord>();
  readonly executions = new Map<string, ExecutionRecord>();
  private readonly file: string | undefined;
  private readonly onWriteError: (error: unknown) => void;
  private flushTimer: NodeJS.Timeout | undefined;
  private dirty = false;
  private closed = false;
  private writing: Promise<void> = Promise.resolve();

  private constructor(dataDir: string | undefined, onWriteError: (error: unknown) => void) {
    this.file = dataDir === undefined ? undefined : join(dataDir, FILE_NAME);
    this.onWriteError = onWriteError;
  }

  /** Opens the store, loading `<dataDir>/stepfunctions.json` when it exists. */
  static async open(dataDir: string | undefined, onWriteError: (error: unknown) => void): Promise<Store> {
    const store = new Store(dataDir, onWriteError);
    if (dataDir === undefined || store.file === undefined) return store;
    await mkdir(dataDir, { recursive: true });
    let text: string;
    try {
      text = await readFile(store.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return store;
      throw error;
    }
    // A corrupt file is reported, not silently replaced: it may hold executions someone wants.
    const data = JSON.parse(text) as StoreFile;
    if (data.version !== 1) throw new Error(`${store.file}: unsupported version ${String(data.version)}`);
    // Files written before versions, aliases and task tokens existed lack those fields.
    for (const machine of data.stateMachines) {
      machine.versions ??= {};
      machine.lastVersion ??= 0;
      machine.aliases ??= {};
      store.stateMachines.set(machine.arn, machine);
    }
    for (const execution of data.executions) {
      execution.taskTokens ??= {};
      store.executions.set(execution.arn, execution);
    }
    return store;
  }

  /** Appends an event with the next id and marks the store for writing. */
  appendHistory(execution: ExecutionRecord, event: NewHistoryEvent): HistoryEvent {
    const id = execution.history.length + 1;
    const stored: HistoryEvent = { ...event, id, previousEventId: id - 1, timestamp: event.timestamp ?? Date.now() };
    execution.history.push(stored);
    this.changed();
    return stored;
  }

  /** Schedules a debounced write; call after every mutation. */
  changed(): void {
    if (this.file === undefined || this.closed) return;
    this.dirty = true;
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush();
    }, FLUSH_DELAY_MS);
  }

  /** Writes pending changes now; resolves once they are on disk. */
  flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.writing = this.writing.then(() => this.write()).catch(this.onWriteError);
    return this.writing;
  }

  /** Writes what is pending and ignores later changes. */
  close(): Promise<void> {
    const done = this.flush();
    this.closed = true;
    return done;
  }

  private async write(): Promise<void> {
    if (this.file === undefined || !this.dirty) return;
    this.dirty = false;
    const data: StoreFile = {
      version: 1,
      stateMachines: [...this.stateMachines.values()],
      executions: [...this.executions.values()],
    };
    const temporary = `${this.file}.${process.pid}.tmp`;
    try {
      await writeFile(temporary, JSON.stringify(data));
      await rename(temporary, this.file);
    } catch (error) {
      this.dirty = true;
      throw error;
    }
  }
}
