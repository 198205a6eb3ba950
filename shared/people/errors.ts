import { CodedError, type CodedErrorOptions, type ErrorKind } from '#core/errors.ts';

/** Every code people and permissions refuse with, and the kind of failure each is. */
const PEOPLE_ERRORS = {
  /** No credentials, or ones that do not verify (unknown, revoked, expired). */
  unauthorized: 'unauthorized',
  /** Valid credentials whose role does not hold the route's permission. */
  forbidden: 'forbidden',
  user_not_found: 'not-found',
  token_not_found: 'not-found',
  email_taken: 'conflict',
  /** Someone else changed the user between our read and our write. */
  user_changed: 'conflict',
  /** The last active admin cannot be demoted or deleted. */
  last_admin: 'conflict',
  invitation_invalid: 'gone',
  invalid_user: 'unprocessable',
  invalid_password: 'unprocessable',
  invalid_query: 'invalid',
} as const satisfies Record<string, ErrorKind>;
export type PeopleErrorCode = keyof typeof PEOPLE_ERRORS;

export class PeopleError extends CodedError<PeopleErrorCode> {
  override name = 'PeopleError';
  constructor(code: PeopleErrorCode, message: string, options?: CodedErrorOptions) {
    super(code, PEOPLE_ERRORS[code], message, options);
  }
}
