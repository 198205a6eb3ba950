import { type AslDefinition, type AslState, mapStates } from './asl.ts';
import { readJsonPath } from './json-path.ts';

/**
 * Wait states are rewritten into Tasks with a local handler so that the caller decides how time
 * passes: the local endpoint sleeps a scaled, chunked, persisted duration; a simulator can advance
 * a virtual clock. The library's own Wait is a single `setTimeout`, which overflows past ~24.8 days
 * and cannot be scaled, resumed or observed.
 */

/** Resource of a rewritten Wait; no real service answers it, only the local handler does. */
export const WAIT_TASK_RESOURCE = 'arn:aws:states:::tend.local:wait';

/** The largest delay a Node timer accepts; past it, the timer overflows and fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** `MAX_TIMER_MS` in whole seconds. */
export const MAX_TIMER_SECONDS = Math.floor(MAX_TIMER_MS / 1000);

export interface WaitRequest {
  stateName: string;
  /** When the wait ends, in epoch ms on the `now` clock given to `rewriteWaits`. */
  dueAt: number;
  /** `dueAt` minus the time the wait started, never negative. */
  delayMs: number;
}

/** Resolves when the wait is over (or rejects to fail the state). */
export type WaitUntil = (request: WaitRequest) => Promise<void>;

export type WaitHandler = (input: unknown) => Promise<unknown>;

export interface RewriteWaitsOptions {
  waitUntil: WaitUntil;
  /** Clock for Seconds waits and for how far away a Timestamp is; defaults to `Date.now`. */
  now?: () => number;
}

export interface RewrittenWaits {
  definition: AslDefinition;
  /** Local handlers by state name, for the library's `taskResourceLocalHandlers`. */
  handlers: Record<string, WaitHandler>;
}

/** A Wait's parameters are invalid for its input; ASL reports this as `States.Runtime`. */
export class WaitParameterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'States.Runtime';
  }
}

/**
 * Replaces every Wait (nested ones included) with a Task that keeps the state name, InputPath,
 * OutputPath and Next/End, so history and transitions look the same. The Task's result is
 * discarded (`ResultPath: null`) to keep Wait's pass-through output. With an InputPath that
 * would return the unfiltered input, so then the handler returns its (filtered) input instead.
 * `TimeoutSeconds` is the largest a Node timer allows because the library's default is 60 s.
 */
export function rewriteWaits(definition: AslDefinition, options: RewriteWaitsOptions): RewrittenWaits {
  const now = options.now ?? Date.now;
  const handlers: Record<string, WaitHandler> = {};
  const rewritten = mapStates(definition, (name, state) => {
    if (state.Type !== 'Wait') return state;
    handlers[name] = async (input) => {
      const startedAt = now();
      const dueAt = waitDueAt(state, input, startedAt);
      await options.waitUntil({ stateName: name, dueAt, delayMs: Math.max(0, dueAt - startedAt) });
      return input;
    };
    const { Seconds, SecondsPath, Timestamp, TimestampPath, Type, ...kept } = state;
    const task: AslState = {
      ...kept,
      Type: 'Task',
      Resource: WAIT_TASK_RESOURCE,
      TimeoutSeconds: MAX_TIMER_SECONDS,
    };
    if (state.InputPath === undefined) task.ResultPath = null;
    return task;
  });
  return { definition: rewritten, handlers };
}

/**
 * When a Wait state with this (already InputPath-filtered) input ends, in epoch ms.
 * Paths are evaluated with `readJsonPath` (`$`-rooted reference paths only).
 */
export function waitDueAt(state: AslState, input: unknown, now: number): number {
  if (typeof state.Seconds === 'number') return now + secondsToMs(state.Seconds, 'Seconds');
  if (typeof state.Timestamp === 'string') return parseTimestamp(state.Timestamp, 'Timestamp');
  if (typeof state.SecondsPath === 'string') {
    const value = readJsonPath(input, state.SecondsPath);
    if (typeof value !== 'number') {
      throw new WaitParameterError(`SecondsPath '${state.SecondsPath}' does not point to a number`);
    }
    return now + secondsToMs(value, `SecondsPath '${state.SecondsPath}'`);
  }
  if (typeof state.TimestampPath === 'string') {
    const value = readJsonPath(input, state.TimestampPath);
    if (typeof value !== 'string') {
      throw new WaitParameterError(`TimestampPath '${state.TimestampPath}' does not point to a string`);
    }
    return parseTimestamp(value, `TimestampPath '${state.TimestampPath}'`);
  }
  throw new WaitParameterError('Wait state needs one of Seconds, SecondsPath, Timestamp or TimestampPath');
}

function secondsToMs(seconds: number, field: string): number {
  if (!Number.isInteger(seconds) || seconds < 0) {
    throw new WaitParameterError(`${field} must be a non-negative integer, got ${seconds}`);
  }
  return seconds * 1000;
}

function parseTimestamp(value: string, field: string): number {
  const time = /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) throw new WaitParameterError(`${field} is not an RFC 3339 timestamp: '${value}'`);
  return time;
}
