import { SfnError } from './errors.ts';

export interface ArnScope {
  region: string;
  accountId: string;
}

// Real rules: 1-80 characters, no whitespace, brackets, wildcards, most punctuation or controls.
const NAME_PATTERN = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\p{Cc}]{1,80}$/u;

/** Throws `InvalidName` unless `name` is a valid state machine, execution or alias name. */
export function assertValidName(name: string): void {
  if (!NAME_PATTERN.test(name)) throw new SfnError('InvalidName', `Invalid Name: '${name}'`);
}

export function stateMachineArn(scope: ArnScope, name: string): string {
  return `arn:aws:states:${scope.region}:${scope.accountId}:stateMachine:${name}`;
}

/** `<stateMachineArn>:<version>`, versions numbered from 1. */
export function versionArn(machineArn: string, version: number): string {
  return `${machineArn}:${version}`;
}

/** `<stateMachineArn>:<aliasName>`. */
export function aliasArn(machineArn: string, aliasName: string): string {
  return `${machineArn}:${aliasName}`;
}

export function executionArn(scope: ArnScope, stateMachineName: string, name: string): string {
  return `arn:aws:states:${scope.region}:${scope.accountId}:execution:${stateMachineName}:${name}`;
}

const ARN_PATTERN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:(stateMachine|execution):([^:]+)(?::([^:]+))?$/;

/**
 * A state machine ARN split into the unqualified machine ARN and its qualifier: a version
 * (all digits) or an alias name. Neither is set for an unqualified ARN.
 */
export interface StateMachineArnParts {
  machineArn: string;
  name: string;
  version?: number;
  alias?: string;
}

/** Parses a state machine, version or alias ARN; throws `InvalidArn` for anything else. */
export function parseStateMachineArn(arn: string): StateMachineArnParts {
  const match = ARN_PATTERN.exec(arn);
  const name = match?.[2];
  if (match?.[1] !== 'stateMachine' || name === undefined) throw new SfnError('InvalidArn', `Invalid Arn: '${arn}'`);
  const qualifier = match[3];
  if (qualifier === undefined) return { machineArn: arn, name };
  const machineArn = arn.slice(0, -(qualifier.length + 1));
  return /^\d+$/.test(qualifier)
    ? { machineArn, name, version: Number(qualifier) }
    : { machineArn, name, alias: qualifier };
}

/** Checks the shape of a state machine ARN, qualified (version or alias) or not. */
export function assertStateMachineArn(arn: string): void {
  parseStateMachineArn(arn);
}

export function assertExecutionArn(arn: string): void {
  const match = ARN_PATTERN.exec(arn);
  if (match?.[1] !== 'execution' || match[3] === undefined) {
    throw new SfnError('InvalidArn', `Invalid Arn: '${arn}'`);
  }
}
