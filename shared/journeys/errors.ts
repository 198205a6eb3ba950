import { CodedError, type CodedErrorOptions, type ErrorKind } from '#core/errors.ts';

/** Every code journeys refuse with (lifecycle, simulation, tasks), and the kind of failure each is. */
const JOURNEY_ERRORS = {
  journey_not_found: 'not-found',
  version_not_found: 'not-found',
  enrollment_not_found: 'not-found',
  task_not_found: 'not-found',
  invalid_journey: 'unprocessable',
  id_mismatch: 'unprocessable',
  journey_has_violations: 'unprocessable',
  journey_archived: 'conflict',
  revision_conflict: 'conflict',
  version_conflict: 'conflict',
  illegal_transition: 'conflict',
} as const satisfies Record<string, ErrorKind>;
export type JourneyErrorCode = keyof typeof JOURNEY_ERRORS;

export class JourneyError extends CodedError<JourneyErrorCode> {
  override name = 'JourneyError';
  constructor(code: JourneyErrorCode, message: string, options?: CodedErrorOptions) {
    super(code, JOURNEY_ERRORS[code], message, options);
  }
}
