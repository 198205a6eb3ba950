import { randomUUID } from 'node:crypto';
import {
  type ArnScope,
  assertExecutionArn,
  assertStateMachineArn,
  assertValidName,
  executionArn,
  stateMachineArn,
} from './arn.ts';
import { checkDefinition } from './asl.ts';
import { SfnError } from './errors.ts';
import { toApiEvent } from './history.ts';
import type { ExecutionRunner } from './runner.ts';
import type { ExecutionRecord, ExecutionStatus, StateMachineRecord, Store } from './store.ts';

export interface OperationContext {
  store: Store;
  runner: ExecutionRunner;
  scope: ArnScope;
}

type Input = Record<string, unknown>;
type Operation = (context: OperationContext, input: Input) => Record<string, unknown>;

/** API dates are epoch seconds; the store keeps epoch ms. */
const seconds = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / 1000);

function requiredString(input: Input, field: string): string {
  const value = input[field];
  if (typeof value !== 'string' || value.length === 0) {
    throw new SfnError(
      'ValidationException',
      `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

function optionalString(input: Input, field: string): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new SfnError('ValidationException', `Value at '${field}' must be a string`);
  return value;
}

function stateMachine({ store }: OperationContext, arn: string): StateMachineRecord {
  assertStateMachineArn(arn);
  const machine = store.stateMachines.get(arn);
  if (!machine) throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
  return machine;
}

function execution({ store }: OperationContext, arn: string): ExecutionRecord {
  assertExecutionArn(arn);
  const found = store.executions.get(arn);
  if (!found) throw new SfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
  return found;
}

function validDefinition(text: string): string {
  const check = checkDefinition(text);
  if (!check.ok) throw new SfnError('InvalidDefinition', check.message);
  return text;
}

/** Offset pagination with an opaque token; enough for a local endpoint. */
function page<T>(items: T[], input: Input, defaultSize = 100): { items: T[]; nextToken?: string } {
  const size =
    typeof input.maxResults === 'number' && input.maxResults > 0 ? Math.min(input.maxResults, 1000) : defaultSize;
  let offset = 0;
  if (typeof input.nextToken === 'string') {
    offset = Number(Buffer.from(input.nextToken, 'base64url').toString('utf8'));
    if (!Number.isInteger(offset) || offset < 0) throw new SfnError('InvalidToken', 'Invalid Token');
  }
  const end = offset + size;
  return {
    items: items.slice(offset, end),
    nextToken: end < items.length ? Buffer.from(String(end), 'utf8').toString('base64url') : undefined,
  };
}

const STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];

function describeExecution(record: ExecutionRecord): Record<string, unknown> {
  return {
    executionArn: record.arn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: seconds(record.startDate),
    stopDate: seconds(record.stopDate),
    input: record.input,
    inputDetails: { included: true },
    output: record.output,
    outputDetails: record.output === undefined ? undefined : { included: true },
    error: record.error,
    cause: record.cause,
  };
}

/**
 * The Step Functions operations by `X-Amz-Target` suffix. Task tokens (SendTask*), versions and
 * aliases are not served yet; the server answers those with UnknownOperationException.
 */
export const operations: Record<string, Operation> = {
  CreateStateMachine(context, input) {
    const name = requiredString(input, 'name');
    const definition = requiredString(input, 'definition');
    const roleArn = requiredString(input, 'roleArn');
    const type = optionalString(input, 'type') ?? 'STANDARD';
    assertValidName(name);
    if (type !== 'STANDARD' && type !== 'EXPRESS') throw new SfnError('ValidationException', `Invalid type '${type}'`);
    validDefinition(definition);
    const arn = stateMachineArn(context.scope, name);
    const existing = context.store.stateMachines.get(arn);
    if (existing) {
      // Idempotent like the real API: the same definition answers with the existing machine.
      if (existing.definition !== definition) {
        throw new SfnError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
      }
      return { stateMachineArn: arn, creationDate: seconds(existing.creationDate) };
    }
    const creationDate = Date.now();
    context.store.stateMachines.set(arn, {
      arn,
      name,
      type,
      roleArn,
      definition,
      creationDate,
      revisionId: randomUUID(),
    });
    context.store.changed();
    return { stateMachineArn: arn, creationDate: seconds(creationDate) };
  },

  UpdateStateMachine(context, input) {
    const machine = stateMachine(context, requiredString(input, 'stateMachineArn'));
    const definition = optionalString(input, 'definition');
    const roleArn = optionalString(input, 'roleArn');
    if (definition === undefined && roleArn === undefined) {
      throw new SfnError('ValidationException', 'Either the definition or the roleArn must be specified');
    }
    if (definition !== undefined) machine.definition = validDefinition(definition);
    if (roleArn !== undefined) machine.roleArn = roleArn;
    machine.updateDate = Date.now();
    machine.revisionId = randomUUID();
    context.store.changed();
    return { updateDate: seconds(machine.updateDate), revisionId: machine.revisionId };
  },

  DescribeStateMachine(context, input) {
    const machine = stateMachine(context, requiredString(input, 'stateMachineArn'));
    return {
      stateMachineArn: machine.arn,
      name: machine.name,
      status: 'ACTIVE',
      definition: machine.definition,
      roleArn: machine.roleArn,
      type: machine.type,
      creationDate: seconds(machine.creationDate),
      loggingConfiguration: { level: 'OFF', includeExecutionData: false },
      tracingConfiguration: { enabled: false },
      revisionId: machine.revisionId,
    };
  },

  ListStateMachines(context, input) {
    const all = [...context.store.stateMachines.values()].sort((a, b) => a.name.localeCompare(b.name));
    const { items, nextToken } = page(all, input);
    return {
      stateMachines: items.map((m) => ({
        stateMachineArn: m.arn,
        name: m.name,
        type: m.type,
        creationDate: seconds(m.creationDate),
      })),
      nextToken,
    };
  },

  DeleteStateMachine(context, input) {
    const arn = requiredString(input, 'stateMachineArn');
    assertStateMachineArn(arn);
    // Simplification: the real service lets running executions finish; here they are stopped.
    for (const record of [...context.store.executions.values()]) {
      if (record.stateMachineArn !== arn) continue;
      if (record.status === 'RUNNING') context.runner.stop(record, 'States.Aborted', 'The state machine was deleted');
      context.store.executions.delete(record.arn);
    }
    context.store.stateMachines.delete(arn);
    context.store.changed();
    return {};
  },

  StartExecution(context, input) {
    const machine = stateMachine(context, requiredString(input, 'stateMachineArn'));
    const name = optionalString(input, 'name') ?? randomUUID();
    assertValidName(name);
    const inputText = optionalString(input, 'input') ?? '{}';
    try {
      JSON.parse(inputText);
    } catch (error) {
      throw new SfnError(
        'InvalidExecutionInput',
        `Invalid State Machine Execution Input: '${(error as Error).message}'`,
      );
    }
    const arn = executionArn(context.scope, machine.name, name);
    const existing = context.store.executions.get(arn);
    if (existing) {
      // The real service's idempotency: same name and input while RUNNING answers with the
      // original execution; a closed execution or different input is a conflict.
      if (existing.status === 'RUNNING' && existing.input === inputText) {
        return { executionArn: arn, startDate: seconds(existing.startDate) };
      }
      throw new SfnError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }
    const startDate = Date.now();
    const record: ExecutionRecord = {
      arn,
      name,
      stateMachineArn: machine.arn,
      definition: machine.definition,
      roleArn: machine.roleArn,
      input: inputText,
      status: 'RUNNING',
      startDate,
      history: [],
      pendingWaits: {},
    };
    context.store.executions.set(arn, record);
    context.store.appendHistory(record, {
      type: 'ExecutionStarted',
      timestamp: startDate,
      executionStartedEventDetails: { input: inputText, inputDetails: { truncated: false }, roleArn: machine.roleArn },
    });
    context.runner.start(record);
    return { executionArn: arn, startDate: seconds(startDate) };
  },

  DescribeExecution(context, input) {
    return describeExecution(execution(context, requiredString(input, 'executionArn')));
  },

  DescribeStateMachineForExecution(context, input) {
    const record = execution(context, requiredString(input, 'executionArn'));
    return {
      stateMachineArn: record.stateMachineArn,
      name: record.stateMachineArn.split(':')[6],
      definition: record.definition,
      roleArn: record.roleArn,
      updateDate: seconds(record.startDate),
    };
  },

  ListExecutions(context, input) {
    const machine = stateMachine(context, requiredString(input, 'stateMachineArn'));
    const statusFilter = optionalString(input, 'statusFilter');
    if (statusFilter !== undefined && !STATUSES.includes(statusFilter as ExecutionStatus)) {
      throw new SfnError('ValidationException', `Invalid statusFilter '${statusFilter}'`);
    }
    const all = [...context.store.executions.values()]
      .filter((e) => e.stateMachineArn === machine.arn && (statusFilter === undefined || e.status === statusFilter))
      .sort((a, b) => b.startDate - a.startDate);
    const { items, nextToken } = page(all, input);
    return {
      executions: items.map((e) => ({
        executionArn: e.arn,
        stateMachineArn: e.stateMachineArn,
        name: e.name,
        status: e.status,
        startDate: seconds(e.startDate),
        stopDate: seconds(e.stopDate),
      })),
      nextToken,
    };
  },

  GetExecutionHistory(context, input) {
    const record = execution(context, requiredString(input, 'executionArn'));
    const ordered = input.reverseOrder === true ? [...record.history].reverse() : record.history;
    const { items, nextToken } = page(ordered, input);
    const includeData = input.includeExecutionData !== false;
    return { events: items.map((event) => toApiEvent(event, includeData)), nextToken };
  },

  StopExecution(context, input) {
    const record = execution(context, requiredString(input, 'executionArn'));
    if (record.status === 'RUNNING') {
      context.runner.stop(record, optionalString(input, 'error'), optionalString(input, 'cause'));
    }
    return { stopDate: seconds(record.stopDate ?? Date.now()) };
  },
};
