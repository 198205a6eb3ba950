import type { ArnScope } from './arn.ts';
import { SfnError } from './errors.ts';
import type { ExecutionRunner } from './runner.ts';
import type { Store } from './store.ts';
import type { TaskTokens } from './task-tokens.ts';

/** What every operation may use: the store, the runner, task tokens and the ARN scope. */
export interface OperationContext {
  store: Store;
  runner: ExecutionRunner;
  tokens: TaskTokens;
  scope: ArnScope;
}

export type Input = Record<string, unknown>;

/** One Step Functions action: a parsed JSON request in, a JSON response body out. */
export type Operation = (context: OperationContext, input: Input) => Record<string, unknown>;

/** API dates are epoch seconds; the store keeps epoch ms. */
export const seconds = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / 1000);

export function requiredString(input: Input, field: string): string {
  const value = input[field];
  if (typeof value !== 'string' || value.length === 0) {
    throw new SfnError(
      'ValidationException',
      `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

export function optionalString(input: Input, field: string, maxLength?: number): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new SfnError('ValidationException', `Value at '${field}' must be a string`);
  if (maxLength !== undefined && value.length > maxLength) {
    throw new SfnError(
      'ValidationException',
      `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${maxLength}`,
    );
  }
  return value;
}

export function optionalBoolean(input: Input, field: string): boolean | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new SfnError('ValidationException', `Value at '${field}' must be a boolean`);
  return value;
}

/** Offset pagination with an opaque token; enough for a local endpoint. */
export function page<T>(items: T[], input: Input, defaultSize = 100): { items: T[]; nextToken?: string } {
  const size =
    typeof input.maxResults === 'number' && input.maxResults > 0 ? Math.min(input.maxResults, 1000) : defaultSize;
  let offset = 0;
  if (typeof input.nextToken === 'string') {
    offset = Number(Buffer.from(input.nextToken, 'base64url').toString('utf8'));
    if (!Number.isInteger(offset) || offset < 0) throw new SfnError('InvalidToken', 'Invalid Token');
  }
  const end = offset + size;
  return {
    items: items.slice(offset, end),
    nextToken: end < items.length ? Buffer.from(String(end), 'utf8').toString('base64url') : undefined,
  };
}
