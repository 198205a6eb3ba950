import type { StateMachine } from 'aws-local-stepfunctions';
import type { ContextValues } from '#workflows/asl/context-rewrite.ts';
import type { ExecutionRecord, HistoryEvent, NewHistoryEvent } from './records.ts';

/** The library does not export its event type; take it from `run()`. */
export type LibraryEvent = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

/**
 * The history event for a library state/Map event, or undefined when the real service has no
 * counterpart (StateFailed, StateRetried and StateCaught show up as Task/Lambda events and the
 * state's exit; Parallel branch events do not exist). Execution-level events are the runner's.
 *
 * `stateType` names the state's type in the original definition: a rewritten Wait runs as a Task
 * but must read as `WaitStateEntered`.
 */
export function historyEventFor(event: LibraryEvent, stateType: (name: string) => string): NewHistoryEvent | undefined {
  const timestamp = event.timestamp;
  switch (event.type) {
    case 'StateEntered':
      return {
        timestamp,
        type: `${stateType(event.state.name)}StateEntered`,
        stateEnteredEventDetails: {
          name: event.state.name,
          input: JSON.stringify(event.state.input ?? null),
          inputDetails: { truncated: false },
        },
      };
    case 'StateExited':
      return {
        timestamp,
        type: `${stateType(event.state.name)}StateExited`,
        stateExitedEventDetails: {
          name: event.state.name,
          output: JSON.stringify(event.state.output ?? null),
          outputDetails: { truncated: false },
        },
      };
    case 'MapIterationStarted':
    case 'MapIterationSucceeded':
    case 'MapIterationFailed': {
      const key = `${event.type[0]?.toLowerCase()}${event.type.slice(1)}EventDetails`;
      return { timestamp, type: event.type, [key]: { name: event.parentState.name, index: event.index } };
    }
    default:
      return undefined;
  }
}

const DATA_FIELDS = new Set(['input', 'output', 'parameters']);

/**
 * An event as GetExecutionHistory returns it: epoch-second timestamps, and without input/output
 * when `includeExecutionData` is false.
 */
export function toApiEvent(event: HistoryEvent, includeExecutionData: boolean): Record<string, unknown> {
  const api: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    if (key === 'timestamp') api[key] = event.timestamp / 1000;
    else if (!includeExecutionData && key.endsWith('EventDetails') && isRecord(value)) {
      api[key] = Object.fromEntries(Object.entries(value).filter(([field]) => !DATA_FIELDS.has(field)));
    } else api[key] = value;
  }
  return api;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Where a RUNNING execution picks up after a restart. */
export interface ResumePoint {
  stateName: string;
  input: unknown;
}

/**
 * The last top-level state the execution entered, with that state's input. Nested states
 * (Parallel branches, Map iterations) are not resume points: their enclosing top-level state
 * restarts instead. Undefined when no top-level state was entered yet.
 */
export function resumePoint(
  history: readonly HistoryEvent[],
  topLevel: (name: string) => boolean,
): ResumePoint | undefined {
  for (let i = history.length - 1; i >= 0; i--) {
    const details = history[i]?.stateEnteredEventDetails as { name?: string; input?: string } | undefined;
    if (details?.name !== undefined && topLevel(details.name)) {
      return { stateName: details.name, input: JSON.parse(details.input ?? 'null') };
    }
  }
  return undefined;
}

/**
 * The context values rewritten references read (see context-rewrite.ts). EnteredTime is the last
 * time the history shows the state entered: a retry keeps it, and a resumed state keeps its first
 * entry because the runner does not record that state's StateEntered twice.
 */
export function contextValues(execution: ExecutionRecord, stateName: string): ContextValues {
  let entered: number | undefined;
  for (let i = execution.history.length - 1; i >= 0 && entered === undefined; i--) {
    const event = execution.history[i];
    const details = event?.stateEnteredEventDetails as { name?: string } | undefined;
    if (details?.name === stateName) entered = event?.timestamp;
  }
  return {
    '$$.State.EnteredTime': new Date(entered ?? Date.now()).toISOString(),
    '$$.State.Name': stateName,
    '$$.Execution.StartTime': new Date(execution.startDate).toISOString(),
  };
}
