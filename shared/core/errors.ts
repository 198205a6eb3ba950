/**
 * Typed errors. A service refuses with its capability's coded error: a code from that
 * capability's list, a message safe to show the caller, and the kind of failure it is; how a
 * protocol answers each kind is decided where the protocol is spoken (`#platform/http.ts`).
 * Names are API: ASL Retry/Catch match on them.
 */

/** What kind of failure a coded error is, in the caller's terms. */
export type ErrorKind =
  /** The request itself is malformed (not JSON, a link that does not verify). */
  | 'invalid'
  /** No valid credentials came with the request. */
  | 'unauthorized'
  /** The credentials are valid but do not allow this. */
  | 'forbidden'
  | 'not-found'
  /** It existed and is turned off for good (a disabled source). */
  | 'gone'
  /** The state moved on meanwhile, or does not allow this now. */
  | 'conflict'
  | 'too-large'
  /** Well-formed, but the content breaks a rule (a schema, a validation). */
  | 'unprocessable'
  /** A dependency does not answer. */
  | 'unavailable';

export interface CodedErrorOptions {
  cause?: unknown;
  /** Structured detail for the caller, such as every problem and its path. */
  details?: unknown;
}

/** The error every capability's errors extend: a stable code, its kind, a message for the caller. */
export class CodedError<C extends string = string> extends Error {
  override name = 'CodedError';
  readonly details: unknown;
  constructor(
    readonly code: C,
    readonly kind: ErrorKind,
    message: string,
    options?: CodedErrorOptions,
  ) {
    super(message, options);
    this.details = options?.details;
  }
}

/** A failure worth retrying (throttling, a dependency briefly down). */
export class TransientError extends Error {
  override name = 'TransientError';
}
