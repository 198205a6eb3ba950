import { CodedError, type CodedErrorOptions, type ErrorKind } from '#core/errors.ts';

/** Every code segments refuse with, and the kind of failure each is. */
const SEGMENT_ERRORS = {
  segment_not_found: 'not-found',
  // A saved body that is not a segment object, or names another segment than the URL.
  invalid_body: 'invalid',
  id_mismatch: 'invalid',
  segment_has_violations: 'unprocessable',
  revision_changed: 'conflict',
} as const satisfies Record<string, ErrorKind>;
export type SegmentErrorCode = keyof typeof SEGMENT_ERRORS;

export class SegmentError extends CodedError<SegmentErrorCode> {
  override name = 'SegmentError';
  constructor(code: SegmentErrorCode, message: string, options?: CodedErrorOptions) {
    super(code, SEGMENT_ERRORS[code], message, options);
  }
}
