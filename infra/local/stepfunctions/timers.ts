import { MAX_TIMER_MS } from '#workflows/asl/wait-rewrite.ts';

/**
 * Resolves `true` at `dueAt` (epoch ms), or `false` as soon as `signal` aborts. A Node timer
 * overflows past `MAX_TIMER_MS`, so a long sleep runs in chunks.
 */
export function sleepUntil(dueAt: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve(false);
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const tick = (): void => {
      const remaining = dueAt - Date.now();
      if (remaining <= 0) {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
        return;
      }
      timer = setTimeout(tick, Math.min(remaining, MAX_TIMER_MS));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    tick();
  });
}

/**
 * A real-time deadline plus the time scale it was computed with, so that a restart with another
 * scale keeps the remaining *simulated* time rather than the remaining wall-clock time.
 */
export interface ScaledDue {
  dueAt: number;
  timeScale: number;
}

/** The real deadline of a simulated delay of `delayMs` starting now. */
export function scaledDue(delayMs: number, timeScale: number, now = Date.now()): ScaledDue {
  return { dueAt: now + delayMs / timeScale, timeScale };
}

/**
 * Re-expresses a stored deadline in another time scale. Downtime counts as elapsed at the old
 * scale: a 1-day wait at scale 1 that was down for 2 hours has 22 hours left.
 */
export function rescaleDue(due: ScaledDue, timeScale: number, now = Date.now()): ScaledDue {
  if (due.timeScale === timeScale) return due;
  const remainingSimulated = Math.max(0, due.dueAt - now) * due.timeScale;
  return scaledDue(remainingSimulated, timeScale, now);
}
