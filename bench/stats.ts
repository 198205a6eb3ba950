/** Nearest-rank percentile of a sample (p in 0..100); NaN for an empty sample. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

export interface Distribution {
  n: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function distribution(values: readonly number[]): Distribution {
  return {
    n: values.length,
    min: round(Math.min(...values), 2),
    mean: round(values.reduce((a, b) => a + b, 0) / Math.max(1, values.length), 2),
    p50: round(percentile(values, 50), 2),
    p90: round(percentile(values, 90), 2),
    p99: round(percentile(values, 99), 2),
    max: round(Math.max(...values), 2),
  };
}

export const round = (value: number, digits = 0) => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

/**
 * Times `fn` over `iterations` after a warm-up of a tenth as many (called with the indexes after
 * `iterations`, so per-index inputs are never reused); returns µs per call.
 */
export function microsPerCall(iterations: number, fn: (i: number) => unknown): number {
  let sink: unknown;
  for (let i = 0; i < Math.ceil(iterations / 10); i++) sink = fn(iterations + i);
  const started = performance.now();
  for (let i = 0; i < iterations; i++) sink = fn(i);
  const elapsed = performance.now() - started;
  if (sink === Symbol.for('never')) console.log(sink);
  return round((elapsed * 1000) / iterations, 2);
}

/** Same as microsPerCall for async work run one call at a time. */
export async function microsPerAsyncCall(iterations: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.ceil(iterations / 10); i++) await fn(iterations + i);
  const started = performance.now();
  for (let i = 0; i < iterations; i++) await fn(i);
  return round(((performance.now() - started) * 1000) / iterations, 2);
}
