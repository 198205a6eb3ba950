/**
 * Step Functions API errors. The `type` goes into the JSON protocol's `__type`, which is how the
 * SDK picks the exception class (`StateMachineDoesNotExist`, ...), so the names are API.
 */
export type SfnErrorType =
  | 'ExecutionAlreadyExists'
  | 'ExecutionDoesNotExist'
  | 'InvalidArn'
  | 'InvalidDefinition'
  | 'InvalidExecutionInput'
  | 'InvalidName'
  | 'InvalidToken'
  | 'SerializationException'
  | 'StateMachineAlreadyExists'
  | 'StateMachineDoesNotExist'
  | 'UnknownOperationException'
  | 'ValidationException';

/** An expected, client-caused failure: answered with HTTP 400 and its `__type`. */
export class SfnError extends Error {
  readonly type: SfnErrorType;

  constructor(type: SfnErrorType, message: string) {
    super(message);
    this.name = type;
    this.type = type;
  }
}
