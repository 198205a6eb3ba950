import type { z } from 'zod';
import { CodedError, type CodedErrorOptions, type ErrorKind } from './errors.ts';

/** What parsing refuses, and the kind of failure each is. */
const PARSE_ERRORS = {
  malformed_json: 'invalid',
  invalid_payload: 'unprocessable',
} as const satisfies Record<string, ErrorKind>;
export type ParseErrorCode = keyof typeof PARSE_ERRORS;

/** A body that is not JSON, or a value its schema does not accept. */
export class ParseError extends CodedError<ParseErrorCode> {
  override name = 'ParseError';
  constructor(code: ParseErrorCode, message: string, options?: CodedErrorOptions) {
    super(code, PARSE_ERRORS[code], message, options);
  }
}

/** Parses JSON text, or throws `malformed_json`. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ParseError('malformed_json', 'the body is not valid JSON');
  }
}

/** The `invalid_payload` error for zod's issues with `what`, naming each problem and its path. */
export function invalidPayload(what: string, issues: z.ZodError['issues']): ParseError {
  const problems = issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
  return new ParseError(
    'invalid_payload',
    `${what} is invalid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
    { details: problems },
  );
}

/** Parses a value with a zod schema, or throws `invalid_payload` naming each problem and its path. */
export function parseOrRefuse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw invalidPayload(what, result.error.issues);
}
