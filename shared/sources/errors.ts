import { CodedError, type CodedErrorOptions, type ErrorKind } from '#core/errors.ts';

/** Every code sources refuse with (webhooks, sources, API keys), and the kind of failure each is. */
const SOURCE_ERRORS = {
  unknown_source: 'not-found',
  source_disabled: 'gone',
  source_exists: 'conflict',
  /** A webhook's signature headers: the providers' verify failures. */
  missing_headers: 'unauthorized',
  bad_timestamp: 'unauthorized',
  stale_timestamp: 'unauthorized',
  bad_signature: 'unauthorized',
  unknown_key: 'not-found',
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
} as const satisfies Record<string, ErrorKind>;
export type SourceErrorCode = keyof typeof SOURCE_ERRORS;

export class SourceError extends CodedError<SourceErrorCode> {
  override name = 'SourceError';
  constructor(code: SourceErrorCode, message: string, options?: CodedErrorOptions) {
    super(code, SOURCE_ERRORS[code], message, options);
  }
}
