import { SfnError } from './errors.ts';

export interface ArnScope {
  region: string;
  accountId: string;
}

// Real rules: 1-80 characters, no whitespace, brackets, wildcards, most punctuation or controls.
const NAME_PATTERN = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\p{Cc}]{1,80}$/u;

/** Throws `InvalidName` unless `name` is a valid state machine or execution name. */
export function assertValidName(name: string): void {
  if (!NAME_PATTERN.test(name)) throw new SfnError('InvalidName', `Invalid Name: '${name}'`);
}

export function stateMachineArn(scope: ArnScope, name: string): string {
  return `arn:aws:states:${scope.region}:${scope.accountId}:stateMachine:${name}`;
}

export function executionArn(scope: ArnScope, stateMachineName: string, name: string): string {
  return `arn:aws:states:${scope.region}:${scope.accountId}:execution:${stateMachineName}:${name}`;
}

const ARN_PATTERN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:(stateMachine|execution):([^:]+)(?::([^:]+))?$/;

/**
 * Checks the shape of a state machine ARN. A qualified ARN (`:<version>` or `:<alias>`) is
 * well formed but not served yet; it simply does not match a stored machine.
 */
export function assertStateMachineArn(arn: string): void {
  const match = ARN_PATTERN.exec(arn);
  if (match?.[1] !== 'stateMachine') throw new SfnError('InvalidArn', `Invalid Arn: '${arn}'`);
}

export function assertExecutionArn(arn: string): void {
  const match = ARN_PATTERN.exec(arn);
  if (match?.[1] !== 'execution' || match[3] === undefined) {
    throw new SfnError('InvalidArn', `Invalid Arn: '${arn}'`);
  }
}
