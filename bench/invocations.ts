import { AsyncLocalStorage } from 'node:async_hooks';
import { observeInvocations } from '../infra/local/functions.ts';
import { type FunctionName, schedules } from '../infra/manifest.ts';

/** Invocations of one function and their handler time, as Lambda would bill it. */
export interface FunctionTime {
  invocations: number;
  /** Wall time inside the handler, summed. */
  totalMs: number;
  /** The same rounded up to whole milliseconds per invocation (Lambda's billing granularity). */
  billedMs: number;
  /** Invocations that threw (the caller retries them: each attempt is billed). */
  failed: number;
}

/** Scheduled sweeps run whatever happens (every 250 ms at a high time scale): never "busy". */
const BACKGROUND = new Set<FunctionName>(schedules.map((s) => s.function));

/** One invocation in flight: its function, and quantities meters note against it. */
interface Invocation {
  name: FunctionName;
  notes: Record<string, number>;
}

/**
 * Watches every handler call the local stack makes (gateway, stream driver, schedules, journey
 * tasks, SES events): counts and times it per function, keeps how many are running, and runs it
 * inside an async context naming the function, so an SDK call can say which function made it.
 */
export function watchInvocations(
  options: {
    /**
     * Invocations for which this answers true are kept apart (`discarded()`), with what meters
     * noted during them, instead of being counted.
     */
    discard?: (name: FunctionName, result: unknown) => boolean;
  } = {},
) {
  const context = new AsyncLocalStorage<Invocation>();
  let times = new Map<FunctionName, FunctionTime>();
  let discardedTimes = new Map<FunctionName, FunctionTime>();
  let discardedNotes = new Map<FunctionName, Record<string, number>>();
  let running = 0;
  let lastEndedAt = performance.now();
  observeInvocations(async (name, run) => {
    const started = performance.now();
    const counts = !BACKGROUND.has(name);
    if (counts) running += 1;
    let failed = false;
    let discarded = false;
    const invocation: Invocation = { name, notes: {} };
    try {
      const result = await context.run(invocation, run);
      discarded = options.discard?.(name, result) ?? false;
      return result;
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      const ms = performance.now() - started;
      if (counts) {
        running -= 1;
        // A discarded invocation is not activity: the stack may be quiet around it.
        if (!discarded) lastEndedAt = performance.now();
      }
      const into = discarded ? discardedTimes : times;
      const t = into.get(name) ?? { invocations: 0, totalMs: 0, billedMs: 0, failed: 0 };
      t.invocations += 1;
      t.totalMs += ms;
      t.billedMs += Math.max(1, Math.ceil(ms));
      if (failed) t.failed += 1;
      into.set(name, t);
      if (discarded) {
        const notes = discardedNotes.get(name) ?? {};
        for (const [key, n] of Object.entries(invocation.notes)) notes[key] = (notes[key] ?? 0) + n;
        discardedNotes.set(name, notes);
      }
    }
  });
  return {
    /** The function whose invocation the caller is inside, if any. */
    current: (): FunctionName | undefined => context.getStore()?.name,
    /** Adds `n` to `key` for the invocation the caller is inside (if it is discarded, these come back with it). */
    note(key: string, n: number) {
      const invocation = context.getStore();
      if (invocation) invocation.notes[key] = (invocation.notes[key] ?? 0) + n;
    },
    /** True when no handler (scheduled sweeps aside) is running and none ended in the last `quietMs`. */
    idle: (quietMs: number) => running === 0 && performance.now() - lastEndedAt >= quietMs,
    reset() {
      times = new Map();
      discardedTimes = new Map();
      discardedNotes = new Map();
    },
    /** The discarded invocations, per function, with what was noted during them. */
    discarded() {
      return Object.fromEntries(
        [...discardedTimes].map(([name, t]) => [name, { ...t, notes: { ...discardedNotes.get(name) } }]),
      ) as Partial<Record<FunctionName, FunctionTime & { notes: Record<string, number> }>>;
    },
    snapshot(): Partial<Record<FunctionName, FunctionTime>> {
      return Object.fromEntries([...times].map(([name, t]) => [name, { ...t }]));
    },
    stop: () => observeInvocations(undefined),
  };
}

export type InvocationWatch = ReturnType<typeof watchInvocations>;
