import { randomUUID } from 'node:crypto';
import { checkDefinition } from '#workflows/asl/asl.ts';
import {
  assertExecutionArn,
  assertValidName,
  executionArn,
  parseStateMachineArn,
  stateMachineArn,
  versionArn,
} from './arn.ts';
import { SfnError } from './errors.ts';
import { toApiEvent } from './history.ts';
import type { ExecutionRecord, ExecutionStatus, StateMachineRecord } from './records.ts';
import {
  type Input,
  type Operation,
  type OperationContext,
  optionalBoolean,
  optionalString,
  page,
  requiredString,
  seconds,
} from './requests.ts';
import { taskTokenOperations } from './task-token-operations.ts';
import { describeVersion, executionTarget, publishVersion, unqualifiedMachine, versionOperations } from './versions.ts';

function execution({ store }: OperationContext, arn: string): ExecutionRecord {
  assertExecutionArn(arn);
  const found = store.executions.get(arn);
  if (!found) throw new SfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
  return found;
}

/**
 * Local only: a `tend:time-scale` tag gives one machine its own time scale (simulated seconds per
 * real second), e.g. a slower abandoned cart among fast journeys in a test run.
 */
function timeScaleTag(input: Record<string, unknown>): { timeScale?: number } {
  const tags = Array.isArray(input.tags) ? (input.tags as { key?: unknown; value?: unknown }[]) : [];
  const value = Number(tags.find((t) => t.key === 'tend:time-scale')?.value);
  return Number.isFinite(value) && value > 0 ? { timeScale: value } : {};
}

function validDefinition(text: string): string {
  const check = checkDefinition(text);
  if (!check.ok) throw new SfnError('InvalidDefinition', check.message);
  return text;
}

const STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];

function describeExecution(record: ExecutionRecord): Record<string, unknown> {
  return {
    executionArn: record.arn,
    stateMachineArn: record.stateMachineArn,
    stateMachineVersionArn: record.stateMachineVersionArn,
    stateMachineAliasArn: record.stateMachineAliasArn,
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

/** `publish` and `versionDescription` of Create/UpdateStateMachine; a description needs publish. */
function publishRequest(input: Input): { publish: boolean; versionDescription?: string } {
  const publish = optionalBoolean(input, 'publish') ?? false;
  const versionDescription = optionalString(input, 'versionDescription', 256);
  if (versionDescription !== undefined && !publish) {
    throw new SfnError('ValidationException', 'versionDescription can only be set when publish is true');
  }
  return { publish, versionDescription };
}

function publishedArn(
  context: OperationContext,
  machine: StateMachineRecord,
  request: { publish: boolean; versionDescription?: string },
): string | undefined {
  if (!request.publish) return undefined;
  return versionArn(machine.arn, publishVersion(context, machine, request.versionDescription).version);
}

/**
 * The Step Functions operations by `X-Amz-Target` suffix: state machines and executions here,
 * versions and aliases in versions.ts, SendTaskSuccess/Failure/Heartbeat in task-tokens.ts.
 * Anything else (activities, tags, Map runs, redrive, ...) is answered with
 * UnknownOperationException by the server.
 */
export const operations: Record<string, Operation> = {
  CreateStateMachine(context, input) {
    const name = requiredString(input, 'name');
    const definition = requiredString(input, 'definition');
    const roleArn = requiredString(input, 'roleArn');
    const type = optionalString(input, 'type') ?? 'STANDARD';
    const publish = publishRequest(input);
    assertValidName(name);
    if (type !== 'STANDARD' && type !== 'EXPRESS') throw new SfnError('ValidationException', `Invalid type '${type}'`);
    validDefinition(definition);
    const arn = stateMachineArn(context.scope, name);
    const existing = context.store.stateMachines.get(arn);
    if (existing) {
      // Idempotent like the real API: the same definition answers with the existing machine (and,
      // with publish, the version of its current revision, published if there is none yet).
      if (existing.definition !== definition) {
        throw new SfnError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
      }
      return {
        stateMachineArn: arn,
        creationDate: seconds(existing.creationDate),
        stateMachineVersionArn: publishedArn(context, existing, publish),
      };
    }
    const creationDate = Date.now();
    const machine: StateMachineRecord = {
      arn,
      name,
      type,
      roleArn,
      definition,
      creationDate,
      revisionId: randomUUID(),
      versions: {},
      lastVersion: 0,
      aliases: {},
      ...timeScaleTag(input),
    };
    context.store.putMachine(machine);
    return {
      stateMachineArn: arn,
      creationDate: seconds(creationDate),
      stateMachineVersionArn: publishedArn(context, machine, publish),
    };
  },

  UpdateStateMachine(context, input) {
    const machine = unqualifiedMachine(context, requiredString(input, 'stateMachineArn'));
    const definition = optionalString(input, 'definition');
    const roleArn = optionalString(input, 'roleArn');
    const publish = publishRequest(input);
    if (definition === undefined && roleArn === undefined) {
      throw new SfnError('MissingRequiredParameter', 'Either the definition or the roleArn must be specified');
    }
    if (definition !== undefined) validDefinition(definition);
    // Local choice: an update that changes nothing keeps the revision, so publishing again on
    // every local start returns the same version instead of piling up identical ones.
    const changed =
      (definition !== undefined && definition !== machine.definition) ||
      (roleArn !== undefined && roleArn !== machine.roleArn);
    if (changed) {
      if (definition !== undefined) machine.definition = definition;
      if (roleArn !== undefined) machine.roleArn = roleArn;
      machine.updateDate = Date.now();
      machine.revisionId = randomUUID();
      context.store.putMachine(machine);
    }
    return {
      updateDate: seconds(machine.updateDate ?? machine.creationDate),
      revisionId: machine.revisionId,
      stateMachineVersionArn: publishedArn(context, machine, publish),
    };
  },

  DescribeStateMachine(context, input) {
    const arn = requiredString(input, 'stateMachineArn');
    const version = describeVersion(context, arn);
    if (version) return version;
    const machine = unqualifiedMachine(context, arn);
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
    const parts = parseStateMachineArn(arn);
    if (parts.version !== undefined || parts.alias !== undefined) {
      throw new SfnError('ValidationException', `DeleteStateMachine needs an unqualified ARN, got '${arn}'`);
    }
    // Its versions and aliases live in the machine's record and go with it.
    // Simplification: the real service lets running executions finish; here they are stopped.
    for (const record of [...context.store.executions.values()]) {
      if (record.stateMachineArn !== arn) continue;
      if (record.status === 'RUNNING') context.runner.stop(record, 'States.Aborted', 'The state machine was deleted');
      context.store.deleteExecution(record.arn);
    }
    context.store.deleteMachine(arn);
    return {};
  },

  StartExecution(context, input) {
    const target = executionTarget(context, requiredString(input, 'stateMachineArn'));
    const { machine } = target;
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
      stateMachineVersionArn: target.stateMachineVersionArn,
      stateMachineAliasArn: target.stateMachineAliasArn,
      definition: target.definition,
      roleArn: target.roleArn,
      input: inputText,
      status: 'RUNNING',
      startDate,
      history: [],
      pendingWaits: {},
      taskTokens: {},
      ...(machine.timeScale ? { timeScale: machine.timeScale } : {}),
    };
    context.store.addExecution(record);
    context.store.appendHistory(record, {
      type: 'ExecutionStarted',
      timestamp: startDate,
      executionStartedEventDetails: {
        input: inputText,
        inputDetails: { truncated: false },
        roleArn: target.roleArn,
        stateMachineVersionArn: target.stateMachineVersionArn,
        stateMachineAliasArn: target.stateMachineAliasArn,
      },
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
    const arn = requiredString(input, 'stateMachineArn');
    const parts = parseStateMachineArn(arn);
    const machine = context.store.stateMachines.get(parts.machineArn);
    if (!machine) throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    const qualifierExists =
      (parts.version === undefined || machine.versions[String(parts.version)] !== undefined) &&
      (parts.alias === undefined || machine.aliases[parts.alias] !== undefined);
    if (!qualifierExists) throw new SfnError('ResourceNotFound', `Resource not found: '${arn}'`);
    // A version or alias ARN lists the executions started through it.
    const startedThrough = (e: ExecutionRecord): boolean =>
      parts.version !== undefined
        ? e.stateMachineVersionArn === arn
        : parts.alias === undefined || e.stateMachineAliasArn === arn;
    const statusFilter = optionalString(input, 'statusFilter');
    if (statusFilter !== undefined && !STATUSES.includes(statusFilter as ExecutionStatus)) {
      throw new SfnError('ValidationException', `Invalid statusFilter '${statusFilter}'`);
    }
    const all = [...context.store.executions.values()]
      .filter(
        (e) =>
          e.stateMachineArn === machine.arn &&
          startedThrough(e) &&
          (statusFilter === undefined || e.status === statusFilter),
      )
      .sort((a, b) => b.startDate - a.startDate);
    const { items, nextToken } = page(all, input);
    return {
      executions: items.map((e) => ({
        executionArn: e.arn,
        stateMachineArn: e.stateMachineArn,
        stateMachineVersionArn: e.stateMachineVersionArn,
        stateMachineAliasArn: e.stateMachineAliasArn,
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

  ...versionOperations,
  ...taskTokenOperations,
};
