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

/**
 * Watches every handler call the local stack makes (gateway, stream driver, schedules, journey
 * tasks, SES events): counts and times it per function, keeps how many are running, and runs it
 * inside an async context naming the function, so an SDK call can say which function made it.
 */
export function watchInvocations() {
  const context = new AsyncLocalStorage<FunctionName>();
  let times = new Map<FunctionName, FunctionTime>();
  let running = 0;
  let lastEndedAt = performance.now();
  observeInvocations(async (name, run) => {
    const started = performance.now();
    const counts = !BACKGROUND.has(name);
    if (counts) running += 1;
    let failed = false;
    try {
      return await context.run(name, run);
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      const ms = performance.now() - started;
      if (counts) {
        running -= 1;
        lastEndedAt = performance.now();
      }
      const t = times.get(name) ?? { invocations: 0, totalMs: 0, billedMs: 0, failed: 0 };
      t.invocations += 1;
      t.totalMs += ms;
      t.billedMs += Math.max(1, Math.ceil(ms));
      if (failed) t.failed += 1;
      times.set(name, t);
    }
  });
  return {
    /** The function whose invocation the caller is inside, if any. */
    current: (): FunctionName | undefined => context.getStore(),
    /** True when no handler (scheduled sweeps aside) is running and none ended in the last `quietMs`. */
    idle: (quietMs: number) => running === 0 && performance.now() - lastEndedAt >= quietMs,
    reset() {
      times = new Map();
    },
    snapshot(): Partial<Record<FunctionName, FunctionTime>> {
      return Object.fromEntries([...times].map(([name, t]) => [name, { ...t }]));
    },
    stop: () => observeInvocations(undefined),
  };
}

export type InvocationWatch = ReturnType<typeof watchInvocations>;
