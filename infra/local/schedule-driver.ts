import type { FunctionName } from '../manifest.ts';

const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** Milliseconds of a `N minute(s)|hour(s)|day(s)` or `rate(...)` expression; cron is not run locally. */
export function rateMs(rate: string): number | undefined {
  const match = /^(?:rate\()?\s*(\d+)\s+(minute|hour|day)s?\s*\)?$/.exec(rate.trim());
  if (!match) return undefined;
  return Number(match[1]) * (UNIT_MS[match[2] as string] as number);
}

export interface ScheduleDriverOptions {
  schedules: readonly { function: FunctionName; rate: string }[];
  invoke: (name: FunctionName, event: unknown) => Promise<unknown>;
  /** Virtual seconds per real second, as for waits: a 1-minute rate at scale 60 runs every second. */
  timeScale: number;
  log: (message: string, fields?: Record<string, unknown>) => void;
}

/**
 * Invokes scheduled functions the way the EventBridge rules do on AWS: same handler, a
 * Scheduled Event, one run at a time per schedule (a slow run delays the next, never overlaps).
 */
export function startScheduleDriver(options: ScheduleDriverOptions): { close(): Promise<void> } {
  const timers: NodeJS.Timeout[] = [];
  const running: Promise<unknown>[] = [];
  let closed = false;
  for (const spec of options.schedules) {
    const every = rateMs(spec.rate);
    if (every === undefined) {
      options.log(`schedule ${spec.rate} of ${spec.function} is not a rate; it does not run locally`);
      continue;
    }
    const interval = Math.max(250, every / options.timeScale);
    const tick = async () => {
      if (closed) return;
      const run = options
        .invoke(spec.function, {
          version: '0',
          source: 'aws.events',
          'detail-type': 'Scheduled Event',
          time: new Date().toISOString(),
          detail: {},
        })
        .catch((error: unknown) => options.log(`scheduled ${spec.function} failed`, { error: String(error) }));
      running.push(run);
      await run;
      running.splice(running.indexOf(run), 1);
      if (!closed) timers.push(setTimeout(tick, interval));
    };
    timers.push(setTimeout(tick, interval));
  }
  return {
    async close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      await Promise.all(running);
    },
  };
}
