import { mkdir } from 'node:fs/promises';
import { assertUnreachable } from '#core/assert.ts';
import { JournalFiles, type JournalRecord } from './journal.ts';
import type { ExecutionRecord, HistoryEvent, NewHistoryEvent, StateMachineRecord } from './records.ts';

interface StoreFile {
  version: 1;
  stateMachines: StateMachineRecord[];
  executions: ExecutionRecord[];
}

/** What changes on an execution after it started, apart from its history. */
const EXECUTION_STATE = [
  'status',
  'stopDate',
  'output',
  'error',
  'cause',
  'pendingWaits',
  'timeoutDue',
  'taskTokens',
] as const;
type ExecutionState = Pick<ExecutionRecord, (typeof EXECUTION_STATE)[number]>;

type Change =
  | { kind: 'machine'; machine: StateMachineRecord }
  | { kind: 'machine-deleted'; arn: string }
  | { kind: 'execution'; execution: ExecutionRecord }
  | { kind: 'execution-state'; arn: string; state: ExecutionState }
  | { kind: 'execution-deleted'; arn: string }
  | { kind: 'history'; arn: string; event: HistoryEvent };
type Entry = JournalRecord & Change;

/** Past this many journal bytes, the next write folds the journal into a new snapshot. */
const COMPACT_BYTES = 16 * 1024 * 1024;

interface Batch {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

function newBatch(): Batch {
  let resolve = (): void => {};
  let reject = (_error: unknown): void => {};
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Callers that await `durable()` see a failure; nobody awaiting must not crash the process.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/**
 * State machines and executions in memory, optionally persisted under `<dataDir>` as a snapshot
 * plus an append-only journal (journal.ts). Every change is journaled; `durable()` resolves once
 * all changes so far are on disk. The server awaits it before answering a request that changed
 * something (StartExecution above all), and the runner before a Task's side effect or a Wait, so
 * a kill at any instant loses nothing that was acknowledged or acted on. Changes made in the same
 * tick share one write and one fdatasync (group commit); an execution's state changes within a
 * batch are coalesced into one record, and its history is appended event by event, never
 * rewritten. The snapshot is rewritten only on open, on close and when the journal grows large.
 */
export class Store {
  readonly stateMachines = new Map<string, StateMachineRecord>();
  readonly executions = new Map<string, ExecutionRecord>();
  private readonly files: JournalFiles | undefined;
  private readonly onWriteError: (error: unknown) => void;
  private seq = 0;
  /** Journal lines not written yet, in `seq` order. */
  private lines: string[] = [];
  private readonly dirtyExecutions = new Set<ExecutionRecord>();
  private readonly dirtyMachines = new Set<StateMachineRecord>();
  /** Settles once the changes not yet written are on disk. */
  private next: Batch | undefined;
  /** Settles once the batch being written is on disk. */
  private current: Batch | undefined;
  private writer: Promise<void> | undefined;
  private closed = false;
  /** Counts changes, so a caller can tell whether an operation changed anything. */
  changes = 0;

  private constructor(dataDir: string | undefined, onWriteError: (error: unknown) => void) {
    this.files = dataDir === undefined ? undefined : new JournalFiles(dataDir);
    this.onWriteError = onWriteError;
  }

  /** Opens the store: loads the snapshot, replays the journal over it, then folds both into a new snapshot. */
  static async open(dataDir: string | undefined, onWriteError: (error: unknown) => void): Promise<Store> {
    const store = new Store(dataDir, onWriteError);
    if (dataDir === undefined || store.files === undefined) return store;
    await mkdir(dataDir, { recursive: true });
    const { snapshot, records } = await store.files.read<StoreFile>();
    if (snapshot) {
      if (snapshot.version !== 1)
        throw new Error(`${store.files.snapshotPath}: unsupported version ${String(snapshot.version)}`);
      store.seq = snapshot.seq ?? 0;
      for (const machine of snapshot.stateMachines) store.stateMachines.set(machine.arn, machine);
      for (const execution of snapshot.executions) store.executions.set(execution.arn, execution);
    }
    for (const record of records as Entry[]) {
      store.replay(record);
      store.seq = record.seq;
    }
    // Files written before versions, aliases and task tokens existed lack those fields.
    for (const machine of store.stateMachines.values()) {
      machine.versions ??= {};
      machine.lastVersion ??= 0;
      machine.aliases ??= {};
    }
    for (const execution of store.executions.values()) execution.taskTokens ??= {};
    if (records.length > 0) await store.files.writeSnapshot(store.snapshotText());
    return store;
  }

  /** Adds a new execution (with the history it has so far). */
  addExecution(execution: ExecutionRecord): void {
    this.executions.set(execution.arn, execution);
    this.log({ kind: 'execution', execution });
  }

  /** Records a change of an execution's status, waits, timeout or task tokens. */
  executionChanged(execution: ExecutionRecord): void {
    this.markDirty(this.dirtyExecutions, execution);
  }

  deleteExecution(arn: string): void {
    this.drop(this.executions, this.dirtyExecutions, { kind: 'execution-deleted', arn });
  }

  /** Adds a state machine, or records a change of one (definition, versions, aliases). */
  putMachine(machine: StateMachineRecord): void {
    this.stateMachines.set(machine.arn, machine);
    this.markDirty(this.dirtyMachines, machine);
  }

  deleteMachine(arn: string): void {
    this.drop(this.stateMachines, this.dirtyMachines, { kind: 'machine-deleted', arn });
  }

  /** Appends an event with the next id and journals it. */
  appendHistory(execution: ExecutionRecord, event: NewHistoryEvent): HistoryEvent {
    const id = execution.history.length + 1;
    const stored: HistoryEvent = { ...event, id, previousEventId: id - 1, timestamp: event.timestamp ?? Date.now() };
    execution.history.push(stored);
    this.log({ kind: 'history', arn: execution.arn, event: stored });
    return stored;
  }

  /** Resolves once every change made so far is on disk; rejects when writing it failed. */
  durable(): Promise<void> {
    if (this.hasPending()) {
      this.next ??= newBatch();
      return this.next.promise;
    }
    return this.current?.promise ?? Promise.resolve();
  }

  /** Writes what is pending as a fresh snapshot and ignores later changes. */
  async close(): Promise<void> {
    if (this.closed || this.files === undefined) return;
    this.closed = true;
    await this.writer;
    // Whatever the write loop left pending goes into the snapshot, and so do its waiters.
    const pending = this.next;
    this.next = undefined;
    try {
      this.dirtyExecutions.clear();
      this.dirtyMachines.clear();
      this.lines = [];
      await this.files.writeSnapshot(this.snapshotText());
      pending?.resolve();
    } catch (error) {
      pending?.reject(error);
      this.onWriteError(error);
    } finally {
      await this.files.close();
    }
  }

  /** Machines and executions change field by field; one record per batch holds all of it. */
  private markDirty<T>(dirty: Set<T>, record: T): void {
    if (!this.persistent()) return;
    dirty.add(record);
    this.changed();
  }

  private drop<T>(records: Map<string, T>, dirty: Set<T>, change: Change & { arn: string }): void {
    const record = records.get(change.arn);
    if (record) dirty.delete(record);
    records.delete(change.arn);
    this.log(change);
  }

  private persistent(): boolean {
    return this.files !== undefined && !this.closed;
  }

  private log(change: Change): void {
    if (!this.persistent()) return;
    this.seq += 1;
    this.lines.push(`${JSON.stringify({ seq: this.seq, ...change })}\n`);
    this.changed();
  }

  private changed(): void {
    this.changes += 1;
    this.writer ??= this.write();
  }

  private hasPending(): boolean {
    return this.lines.length > 0 || this.dirtyExecutions.size > 0 || this.dirtyMachines.size > 0;
  }

  /** The write loop: one batch at a time, each batch everything logged while the previous was written. */
  private async write(): Promise<void> {
    const files = this.files as JournalFiles;
    for (;;) {
      // Let the operation or state transition in progress finish its changes: they join this batch.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (!this.hasPending() || this.closed) {
        this.writer = undefined;
        return;
      }
      const batch = this.next ?? newBatch();
      this.next = undefined;
      this.current = batch;
      try {
        if (files.bytes >= COMPACT_BYTES) {
          this.dirtyExecutions.clear();
          this.dirtyMachines.clear();
          this.lines = [];
          await files.writeSnapshot(this.snapshotText());
        } else {
          await files.append(this.takeBatch());
        }
        batch.resolve();
      } catch (error) {
        batch.reject(error);
        this.onWriteError(error);
      } finally {
        if (this.current === batch) this.current = undefined;
      }
    }
  }

  /** The pending lines plus one record per changed machine or execution, as one text. */
  private takeBatch(): string {
    const lines = this.lines;
    this.lines = [];
    const record = (change: Change): void => {
      this.seq += 1;
      lines.push(`${JSON.stringify({ seq: this.seq, ...change })}\n`);
    };
    for (const machine of this.dirtyMachines) record({ kind: 'machine', machine });
    for (const execution of this.dirtyExecutions) {
      const state = Object.fromEntries(EXECUTION_STATE.map((key) => [key, execution[key]])) as ExecutionState;
      record({ kind: 'execution-state', arn: execution.arn, state });
    }
    this.dirtyMachines.clear();
    this.dirtyExecutions.clear();
    return lines.join('');
  }

  private snapshotText(): string {
    const data: StoreFile & { seq: number } = {
      version: 1,
      seq: this.seq,
      stateMachines: [...this.stateMachines.values()],
      executions: [...this.executions.values()],
    };
    return JSON.stringify(data);
  }

  private replay(entry: Entry): void {
    switch (entry.kind) {
      case 'machine':
        this.stateMachines.set(entry.machine.arn, entry.machine);
        return;
      case 'machine-deleted':
        this.stateMachines.delete(entry.arn);
        return;
      case 'execution':
        this.executions.set(entry.execution.arn, entry.execution);
        return;
      case 'execution-deleted':
        this.executions.delete(entry.arn);
        return;
      case 'execution-state': {
        const execution = this.executions.get(entry.arn);
        if (!execution) return;
        const fields = execution as unknown as Record<string, unknown>;
        const state = entry.state as unknown as Record<string, unknown>;
        for (const key of EXECUTION_STATE) {
          if (state[key] === undefined) delete fields[key];
          else fields[key] = state[key];
        }
        return;
      }
      case 'history': {
        const execution = this.executions.get(entry.arn);
        if (execution && entry.event.id === execution.history.length + 1) execution.history.push(entry.event);
        return;
      }
      default:
        assertUnreachable(entry);
    }
  }
}
