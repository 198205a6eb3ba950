/**
 * Locally, ingest and processing share two cores and one DynamoDB Local, where on AWS they run
 * side by side. The front door (webhooks and the events API) comes first: while deliveries are
 * arriving, the stream consumers run one batch at a time, and only for a share of the time (a
 * batch that took 40 ms is followed by 360 ms without one, at the default tenth), so a burst is
 * acknowledged at nearly the pace ingest alone allows. Processing still moves on, never starved,
 * and catches up at full speed once the burst is over. Nothing is dropped or reordered: batches
 * only wait their turn.
 */
export interface FrontDoor {
  /** A delivery request began; call the returned function when it is answered. */
  enter(): () => void;
  /** Whether a delivery is in flight or was answered within the last `quietMs`. */
  busy(): boolean;
  /**
   * Waits for a turn to run a consumer's batch: at once while the front door is quiet; while it
   * is busy, one at a time and for `shareWhileBusy` of the time. Call the returned function when
   * the batch is done.
   */
  admit(): Promise<() => void>;
}

/** Deliveries: `POST /webhooks/{sourceId}` and `POST /api/events`. */
export const isDelivery = (method: string, path: string) =>
  method === 'POST' && (path.startsWith('/webhooks/') || path === '/api/events');

export function createFrontDoor(options: { quietMs?: number; shareWhileBusy?: number } = {}): FrontDoor {
  const quietMs = options.quietMs ?? 20;
  const share = options.shareWhileBusy ?? 0.1;
  let inFlight = 0;
  /** While busy, no batch starts before this (performance.now() ms). */
  let restUntil = 0;
  let lastAnswered = Number.NEGATIVE_INFINITY;
  let running = 0;
  let quietTimer: NodeJS.Timeout | undefined;
  let waiting: (() => void)[] = [];
  const wakeAll = () => {
    const woken = waiting;
    waiting = [];
    for (const wake of woken) wake();
  };
  const busy = () => inFlight > 0 || performance.now() - lastAnswered < quietMs;
  return {
    enter() {
      inFlight++;
      let left = false;
      return () => {
        if (left) return;
        left = true;
        inFlight--;
        lastAnswered = performance.now();
        if (inFlight > 0) return;
        clearTimeout(quietTimer);
        quietTimer = setTimeout(() => {
          quietTimer = undefined;
          if (!busy()) wakeAll();
        }, quietMs + 1);
        quietTimer.unref();
      };
    },
    busy,
    async admit() {
      for (;;) {
        const rest = restUntil - performance.now();
        if (!busy() || (running === 0 && rest <= 0)) break;
        await new Promise<void>((resolve) => {
          waiting.push(resolve);
          // A rest ends on its own; the door going quiet or a batch ending wakes everyone anyway.
          if (running === 0 && rest > 0) setTimeout(wakeAll, rest + 1).unref();
        });
      }
      running++;
      const started = performance.now();
      let done = false;
      return () => {
        if (done) return;
        done = true;
        running--;
        const took = performance.now() - started;
        restUntil = Math.max(restUntil, performance.now() + (took * (1 - share)) / share);
        wakeAll();
      };
    },
  };
}
