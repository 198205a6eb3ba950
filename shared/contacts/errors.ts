import { CodedError, type CodedErrorOptions, type ErrorKind } from '#core/errors.ts';

/**
 * Every code contacts refuse with (lookups, imports, identity conflicts, privacy requests), and
 * the kind of failure each is.
 */
const CONTACT_ERRORS = {
  contact_not_found: 'not-found',
  unknown_conflict: 'not-found',
  unknown_import: 'not-found',
  import_completed: 'conflict',
  unknown_privacy_request: 'not-found',
} as const satisfies Record<string, ErrorKind>;
export type ContactErrorCode = keyof typeof CONTACT_ERRORS;

export class ContactError extends CodedError<ContactErrorCode> {
  override name = 'ContactError';
  constructor(code: ContactErrorCode, message: string, options?: CodedErrorOptions) {
    super(code, CONTACT_ERRORS[code], message, options);
  }
}
