import fc from 'fast-check';
import { expect } from 'vitest';
import { CodedError, type ErrorKind } from '#core/errors.ts';
import { statusOf } from '#platform/http.ts';

/**
 * Shared by the property-based tests (`*.property.test.ts`): running a call that may refuse, the
 * rule a refusal must follow, and generators of values and mutations that tend to break code.
 */

/** Runs a call; returns 'ok' with the value, or the coded error. Any other throw fails the property. */
export async function outcome<T>(
  call: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: CodedError }> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    if (!(error instanceof CodedError)) throw error;
    return { ok: false, error };
  }
}

/**
 * A refusal: a coded error the HTTP wrapper answers in 400..499 (of a kind within `allowed` when
 * given) with a code and a message.
 */
export function expectClientError(error: CodedError, allowed?: ErrorKind[]) {
  expect(statusOf(error.kind)).toBeGreaterThanOrEqual(400);
  expect(statusOf(error.kind)).toBeLessThan(500);
  if (allowed) expect(allowed).toContain(error.kind);
  expect(error.message.trim()).not.toBe('');
  expect(error.code.trim()).not.toBe('');
  // The message must survive JSON serialisation as the API error body.
  expect(JSON.parse(JSON.stringify({ error: error.code, message: error.message })).message).toBe(error.message);
}

/** Values that tend to break code: boundaries, wrong types, odd strings. */
export const nasty = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom<unknown>(
    null,
    '',
    ' ',
    [],
    {},
    0,
    -1,
    1.5,
    2 ** 53 + 2,
    9e15,
    1e21,
    1e300,
    -1e300,
    'x'.repeat(300),
    '2026-01-01T00:00:00Z',
    '2026-01-01T00:00:00',
    '2026-02-30T00:00:00Z',
    '+14155550123',
    'ada@example.com',
    'not-an-email',
    '__proto__',
    'constructor',
    'NaN',
    '19.99',
    '-0',
    'USD',
    'usd',
  ),
);

/** Every path to a value inside a JSON value. */
export function paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(prefix);
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) paths(v, [...prefix, i], out);
  } else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
  return out;
}

export type Mutation = { at: number; op: 'delete' | 'set'; value: unknown };
export const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom<'delete' | 'set'>('delete', 'set', 'set'),
  value: nasty,
});

/** A copy of `value` with each mutation applied at a path chosen by index. */
export function mutate(value: unknown, mutations: Mutation[]): unknown {
  let root = structuredClone(value);
  for (const m of mutations) {
    const all = paths(root);
    const path = all[m.at % all.length] as (string | number)[];
    if (path.length === 0) {
      root = m.op === 'set' ? m.value : {};
      continue;
    }
    let parent = root as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
    const last = path[path.length - 1] as string | number;
    if (m.op === 'delete') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else parent[last] = m.value;
  }
  return root;
}
