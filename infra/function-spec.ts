/** What a function may touch; CDK turns each grant into least-privilege IAM. */
export type Grant =
  | 'table:read'
  | 'table:write'
  /** Only append to the audit log (PutItem in its partition): for API functions that only read. */
  | 'audit:append'
  /** Start, stop and resume journey executions (StartExecution, StopExecution, SendTaskSuccess). */
  | 'journeys:run'
  /** Create journey state machines, publish versions, move the live alias (and pass the journey role). */
  | 'journeys:publish'
  /** Read executions and their history (DescribeExecution, GetExecutionHistory). */
  | 'journeys:read'
  | 'ses:send'
  | 'secret:admin-token'
  | 'secret:link-signing'
  /** Seal and open stored webhook secrets with the stack's KMS key. */
  | 'kms:seal'
  /** Only open them (verify or sign with a stored secret). */
  | 'kms:open';

/** One function of the manifest: its handler, its size and what it may touch. */
export interface FunctionSpec {
  /** Handler file, relative to the repository root; it exports `handler`. */
  entry: string;
  description: string;
  timeoutSeconds: number;
  memoryMb: number;
  grants: readonly Grant[];
}
