/** Messages between bench/run.ts and the load generator it forks (bench/load-worker.ts). */

export interface LoadJob {
  /** Full URL, path included. */
  url: string;
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
  /**
   * `signed`: a new unique signed form webhook (a new contact) per request; `static`: one fixed
   * signed request, resent; `order`: a new signed `order.placed` envelope per request, placed by
   * the `customers` in turn.
   */
  mode: 'signed' | 'static' | 'order';
  /** Existing contacts' emails, for `order`. */
  customers?: string[];
  secret: string;
  runId: string;
  /** Tags the email addresses (and webhook ids) of this job. */
  phase: string;
}

export interface LoadSummary {
  durationSeconds: number;
  responses: number;
  /** Responses per HTTP status code. */
  statusCounts: Record<string, number>;
  /** Responses (any status) in each whole second: autocannon's per-second samples. */
  perSecond: { min: number; max: number; stddev: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Latency of every response (any status) in ms, from autocannon's histogram. */
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  /** CPU time the load generator itself used, as % of one core, during this stage. */
  clientCpuPercent: number;
  startedAt: string;
  finishedAt: string;
}

export interface LoadResult {
  warmup: LoadSummary;
  measured: LoadSummary;
  /** Webhooks built by the generator (some were still in flight when a stage ended). */
  generated: number;
  /** Email of every request answered 202, warm-up included. */
  acceptedEmails: string[];
}

export type ToWorker = { type: 'run'; job: LoadJob };

export type FromWorker =
  | { type: 'stage'; stage: 'warmup' | 'measured'; event: 'start' | 'end' }
  | { type: 'tick'; stage: 'warmup' | 'measured'; second: number; responses: number }
  | { type: 'done'; result: LoadResult }
  | { type: 'error'; message: string };
