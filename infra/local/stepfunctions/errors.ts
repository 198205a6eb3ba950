/**
 * Step Functions API errors. The `type` goes into the JSON protocol's `__type`, which is how the
 * SDK picks the exception class (`StateMachineDoesNotExist`, ...), so the names are API.
 */
export type SfnErrorType =
  | 'ConflictException'
  | 'ExecutionAlreadyExists'
  | 'ExecutionDoesNotExist'
  | 'InvalidArn'
  | 'InvalidDefinition'
  | 'InvalidExecutionInput'
  | 'InvalidName'
  | 'InvalidOutput'
  | 'InvalidToken'
  | 'MissingRequiredParameter'
  | 'ResourceNotFound'
  | 'SerializationException'
  | 'StateMachineAlreadyExists'
  | 'StateMachineDoesNotExist'
  | 'TaskDoesNotExist'
  | 'TaskTimedOut'
  | 'UnknownOperationException'
  | 'ValidationException';

/** The documented HTTP status where it is not 400. */
const STATUS: Partial<Record<SfnErrorType, number>> = { ConflictException: 409 };

/** An expected, client-caused failure: answered with its documented status (400 mostly) and `__type`. */
export class SfnError extends Error {
  readonly type: SfnErrorType;
  readonly status: number;

  constructor(type: SfnErrorType, message: string) {
    super(message);
    this.name = type;
    this.type = type;
    this.status = STATUS[type] ?? 400;
  }
}
