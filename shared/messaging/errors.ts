import { CodedError, type CodedErrorOptions, type ErrorKind } from '#core/errors.ts';

/**
 * Every code messaging refuses with (templates, outbound webhook endpoints, unsubscribe and
 * preference links), and the kind of failure each is.
 */
const MESSAGING_ERRORS = {
  template_not_found: 'not-found',
  invalid_template: 'unprocessable',
  id_mismatch: 'unprocessable',
  template_does_not_compile: 'unprocessable',
  version_conflict: 'conflict',
  endpoint_not_found: 'not-found',
  rotation_conflict: 'conflict',
  invalid_link: 'invalid',
  unknown_topic: 'invalid',
} as const satisfies Record<string, ErrorKind>;
export type MessagingErrorCode = keyof typeof MESSAGING_ERRORS;

export class MessagingError extends CodedError<MessagingErrorCode> {
  override name = 'MessagingError';
  constructor(code: MessagingErrorCode, message: string, options?: CodedErrorOptions) {
    super(code, MESSAGING_ERRORS[code], message, options);
  }
}
