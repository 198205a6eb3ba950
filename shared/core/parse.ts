import type { z } from 'zod';
import { unprocessable } from './errors.ts';

/** Parses a value with a zod schema, or throws a 422 naming each problem and its path. */
export function parseOr422<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
  throw unprocessable(
    'invalid_payload',
    `${what} is invalid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
    problems,
  );
}
