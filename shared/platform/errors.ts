import { CodedError, type CodedErrorOptions, type ErrorKind } from '#core/errors.ts';

/** Every code the wrappers refuse with (body size, routing, the dashboard's session), and the kind of failure each is. */
const PLATFORM_ERRORS = {
  /** The dashboard's data routes without a session. */
  signed_out: 'unauthorized',
  payload_too_large: 'too-large',
  no_route: 'not-found',
  /** The templates API's name for a route it does not have. */
  not_found: 'not-found',
  /** The dashboard's data routes: no data of that name. */
  no_data: 'not-found',
} as const satisfies Record<string, ErrorKind>;
export type PlatformErrorCode = keyof typeof PLATFORM_ERRORS;

export class PlatformError extends CodedError<PlatformErrorCode> {
  override name = 'PlatformError';
  constructor(code: PlatformErrorCode, message: string, options?: CodedErrorOptions) {
    super(code, PLATFORM_ERRORS[code], message, options);
  }
}
