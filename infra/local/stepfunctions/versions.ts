import { aliasArn, assertValidName, parseStateMachineArn, type StateMachineArnParts, versionArn } from './arn.ts';
import { SfnError } from './errors.ts';
import type {
  RoutingEntry,
  StateMachineAliasRecord,
  StateMachineRecord,
  StateMachineVersionRecord,
} from './records.ts';
import {
  type Input,
  type Operation,
  type OperationContext,
  optionalString,
  page,
  requiredString,
  seconds,
} from './requests.ts';

/** The unqualified machine `arn` names; a version or alias ARN is a ValidationException here. */
export function unqualifiedMachine(context: OperationContext, arn: string): StateMachineRecord {
  const parts = parseStateMachineArn(arn);
  if (parts.version !== undefined || parts.alias !== undefined) {
    throw new SfnError('ValidationException', `This operation needs an unqualified state machine ARN, got '${arn}'`);
  }
  return existingMachine(context, parts, arn);
}

function existingMachine(context: OperationContext, parts: StateMachineArnParts, arn: string): StateMachineRecord {
  const machine = context.store.stateMachines.get(parts.machineArn);
  if (!machine) throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
  return machine;
}

/** What StartExecution runs for a machine, version or alias ARN, and how the execution reports it. */
export interface ExecutionTarget {
  machine: StateMachineRecord;
  definition: string;
  roleArn: string;
  stateMachineVersionArn?: string;
  stateMachineAliasArn?: string;
}

/**
 * Resolves StartExecution's `stateMachineArn`: an unqualified ARN runs the latest definition, a
 * version ARN that version, and an alias one of its versions, picked at random by weight.
 */
export function executionTarget(context: OperationContext, arn: string, random = Math.random): ExecutionTarget {
  const parts = parseStateMachineArn(arn);
  const machine = existingMachine(context, parts, arn);
  const missing = (): SfnError => new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
  if (parts.version !== undefined) {
    const version = machine.versions[String(parts.version)];
    if (!version) throw missing();
    return { machine, definition: version.definition, roleArn: version.roleArn, stateMachineVersionArn: arn };
  }
  if (parts.alias !== undefined) {
    const alias = machine.aliases[parts.alias];
    if (!alias) throw missing();
    const chosen = pickByWeight(alias.routingConfiguration, random);
    const version = machine.versions[String(parseStateMachineArn(chosen.stateMachineVersionArn).version)];
    if (!version) throw missing();
    return {
      machine,
      definition: version.definition,
      roleArn: version.roleArn,
      stateMachineVersionArn: chosen.stateMachineVersionArn,
      stateMachineAliasArn: arn,
    };
  }
  return { machine, definition: machine.definition, roleArn: machine.roleArn };
}

function pickByWeight(entries: RoutingEntry[], random: () => number): RoutingEntry {
  let roll = random() * 100;
  for (const entry of entries) {
    if (roll < entry.weight) return entry;
    roll -= entry.weight;
  }
  return entries.at(-1) as RoutingEntry;
}

/**
 * Publishes the machine's current revision as the next version, or returns the version that
 * already holds this revision, as the real API does. A `revisionId` other than the current one
 * (or `INITIAL` for a machine never updated) is a ConflictException.
 */
export function publishVersion(
  context: OperationContext,
  machine: StateMachineRecord,
  description: string | undefined,
  revisionId?: string,
): StateMachineVersionRecord {
  if (revisionId !== undefined) {
    const current = revisionId === 'INITIAL' ? machine.updateDate === undefined : revisionId === machine.revisionId;
    if (!current) {
      throw new SfnError(
        'ConflictException',
        `Failed to publish the State Machine version for revision ${revisionId}. ` +
          `The current State Machine revision is ${machine.revisionId}.`,
      );
    }
  }
  const existing = Object.values(machine.versions).find((version) => version.revisionId === machine.revisionId);
  if (existing) return existing;
  const version: StateMachineVersionRecord = {
    version: machine.lastVersion + 1,
    definition: machine.definition,
    roleArn: machine.roleArn,
    revisionId: machine.revisionId,
    description,
    creationDate: Date.now(),
  };
  machine.versions[String(version.version)] = version;
  machine.lastVersion = version.version;
  context.store.putMachine(machine);
  return version;
}

/** DescribeStateMachine for a version ARN. */
export function describeVersion(context: OperationContext, arn: string): Record<string, unknown> | undefined {
  const parts = parseStateMachineArn(arn);
  if (parts.alias !== undefined) {
    throw new SfnError('InvalidArn', `Invalid Arn: '${arn}' is an alias; use DescribeStateMachineAlias`);
  }
  if (parts.version === undefined) return undefined;
  const machine = existingMachine(context, parts, arn);
  const version = machine.versions[String(parts.version)];
  if (!version) throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
  return {
    stateMachineArn: arn,
    name: machine.name,
    status: 'ACTIVE',
    definition: version.definition,
    roleArn: version.roleArn,
    type: machine.type,
    creationDate: seconds(version.creationDate),
    loggingConfiguration: { level: 'OFF', includeExecutionData: false },
    tracingConfiguration: { enabled: false },
    revisionId: version.revisionId,
    description: version.description,
  };
}

interface AliasRef {
  machine: StateMachineRecord;
  alias: StateMachineAliasRecord;
  arn: string;
}

function existingAlias(context: OperationContext, arn: string): AliasRef {
  const parts = parseStateMachineArn(arn);
  if (parts.alias === undefined) throw new SfnError('InvalidArn', `Invalid Arn: '${arn}' is not an alias ARN`);
  const machine = context.store.stateMachines.get(parts.machineArn);
  const alias = machine?.aliases[parts.alias];
  if (!machine || !alias) throw new SfnError('ResourceNotFound', `Resource not found: '${arn}'`);
  return { machine, alias, arn };
}

/** Checks a routingConfiguration: one or two distinct, existing versions of one machine, weights summing to 100. */
function routingConfiguration(
  context: OperationContext,
  value: unknown,
): { machine: StateMachineRecord; entries: RoutingEntry[] } {
  const invalid = (reason: string): SfnError =>
    new SfnError('ValidationException', `Invalid routingConfiguration: ${reason}`);
  if (!Array.isArray(value) || value.length < 1 || value.length > 2) throw invalid('it needs one or two entries');
  const entries = value.map((item: unknown): RoutingEntry => {
    const entry = (item ?? {}) as { stateMachineVersionArn?: unknown; weight?: unknown };
    if (typeof entry.stateMachineVersionArn !== 'string') throw invalid('every entry needs a stateMachineVersionArn');
    if (typeof entry.weight !== 'number' || !Number.isInteger(entry.weight) || entry.weight < 0 || entry.weight > 100) {
      throw invalid('every weight must be an integer from 0 to 100');
    }
    return { stateMachineVersionArn: entry.stateMachineVersionArn, weight: entry.weight };
  });
  if (entries.reduce((sum, entry) => sum + entry.weight, 0) !== 100) throw invalid('the weights must sum to 100');
  const parts = entries.map((entry) => parseStateMachineArn(entry.stateMachineVersionArn));
  if (parts.some((part) => part.version === undefined)) throw invalid('every entry must name a version ARN');
  if (new Set(parts.map((part) => part.machineArn)).size !== 1)
    throw invalid('the versions must share one state machine');
  if (new Set(parts.map((part) => part.version)).size !== parts.length) throw invalid('the versions must differ');
  const first = parts[0] as StateMachineArnParts;
  const machine = context.store.stateMachines.get(first.machineArn);
  for (const [index, part] of parts.entries()) {
    if (!machine?.versions[String(part.version)]) {
      throw new SfnError('ResourceNotFound', `Resource not found: '${entries[index]?.stateMachineVersionArn}'`);
    }
  }
  return { machine: machine as StateMachineRecord, entries };
}

function sameRouting(a: RoutingEntry[], b: RoutingEntry[]): boolean {
  const key = (entries: RoutingEntry[]): string =>
    JSON.stringify([...entries].sort((x, y) => x.stateMachineVersionArn.localeCompare(y.stateMachineVersionArn)));
  return key(a) === key(b);
}

function describeAlias({ alias, arn }: AliasRef): Record<string, unknown> {
  return {
    stateMachineAliasArn: arn,
    name: alias.name,
    description: alias.description,
    routingConfiguration: alias.routingConfiguration,
    creationDate: seconds(alias.creationDate),
    updateDate: seconds(alias.updateDate ?? alias.creationDate),
  };
}

const byNewest = <T extends { creationDate: number }>(a: T, b: T): number => b.creationDate - a.creationDate;

function description(input: Input): string | undefined {
  return optionalString(input, 'description', 256);
}

/** Version and alias operations, by `X-Amz-Target` suffix. */
export const versionOperations: Record<string, Operation> = {
  PublishStateMachineVersion(context, input) {
    const machine = unqualifiedMachine(context, requiredString(input, 'stateMachineArn'));
    const version = publishVersion(context, machine, description(input), optionalString(input, 'revisionId'));
    return {
      creationDate: seconds(version.creationDate),
      stateMachineVersionArn: versionArn(machine.arn, version.version),
    };
  },

  ListStateMachineVersions(context, input) {
    const arn = requiredString(input, 'stateMachineArn');
    const parts = parseStateMachineArn(arn);
    if (parts.version !== undefined || parts.alias !== undefined) {
      throw new SfnError('ValidationException', `ListStateMachineVersions needs an unqualified ARN, got '${arn}'`);
    }
    const machine = context.store.stateMachines.get(arn);
    const all = machine ? Object.values(machine.versions).sort(byNewest) : [];
    const { items, nextToken } = page(all, input);
    return {
      stateMachineVersions: items.map((version) => ({
        stateMachineVersionArn: versionArn(arn, version.version),
        creationDate: seconds(version.creationDate),
      })),
      nextToken,
    };
  },

  DeleteStateMachineVersion(context, input) {
    const arn = requiredString(input, 'stateMachineVersionArn');
    const parts = parseStateMachineArn(arn);
    if (parts.version === undefined) throw new SfnError('InvalidArn', `Invalid Arn: '${arn}' is not a version ARN`);
    const machine = context.store.stateMachines.get(parts.machineArn);
    if (!machine?.versions[String(parts.version)]) return {};
    const users = Object.values(machine.aliases).filter((alias) =>
      alias.routingConfiguration.some((entry) => entry.stateMachineVersionArn === arn),
    );
    if (users.length > 0) {
      throw new SfnError(
        'ConflictException',
        `Version ${arn} is referenced by the aliases ${users.map((alias) => alias.name).join(', ')}`,
      );
    }
    // Like the real service, executions already running on this version keep running.
    delete machine.versions[String(parts.version)];
    context.store.putMachine(machine);
    return {};
  },

  CreateStateMachineAlias(context, input) {
    const name = requiredString(input, 'name');
    assertValidName(name);
    if (/^\d+$/.test(name)) throw new SfnError('InvalidName', `Invalid Name: '${name}' would read as a version`);
    const aliasDescription = description(input);
    const { machine, entries } = routingConfiguration(context, input.routingConfiguration);
    const arn = aliasArn(machine.arn, name);
    const existing = machine.aliases[name];
    if (existing) {
      if (existing.description !== aliasDescription || !sameRouting(existing.routingConfiguration, entries)) {
        throw new SfnError('ConflictException', `Alias '${arn}' already exists with another configuration`);
      }
      return { stateMachineAliasArn: arn, creationDate: seconds(existing.creationDate) };
    }
    const creationDate = Date.now();
    machine.aliases[name] = { name, description: aliasDescription, routingConfiguration: entries, creationDate };
    context.store.putMachine(machine);
    return { stateMachineAliasArn: arn, creationDate: seconds(creationDate) };
  },

  UpdateStateMachineAlias(context, input) {
    const ref = existingAlias(context, requiredString(input, 'stateMachineAliasArn'));
    const aliasDescription = description(input);
    if (aliasDescription === undefined && input.routingConfiguration === undefined) {
      throw new SfnError('ValidationException', 'Either the description or the routingConfiguration must be specified');
    }
    if (input.routingConfiguration !== undefined) {
      const { machine, entries } = routingConfiguration(context, input.routingConfiguration);
      if (machine.arn !== ref.machine.arn) {
        throw new SfnError('ValidationException', 'An alias can only route to versions of its own state machine');
      }
      ref.alias.routingConfiguration = entries;
    }
    if (aliasDescription !== undefined) ref.alias.description = aliasDescription;
    ref.alias.updateDate = Date.now();
    context.store.putMachine(ref.machine);
    return { updateDate: seconds(ref.alias.updateDate) };
  },

  DescribeStateMachineAlias(context, input) {
    return describeAlias(existingAlias(context, requiredString(input, 'stateMachineAliasArn')));
  },

  ListStateMachineAliases(context, input) {
    const arn = requiredString(input, 'stateMachineArn');
    const parts = parseStateMachineArn(arn);
    if (parts.alias !== undefined) throw new SfnError('InvalidArn', `Invalid Arn: '${arn}' is an alias ARN`);
    const machine = existingMachine(context, parts, arn);
    if (parts.version !== undefined && !machine.versions[String(parts.version)]) {
      throw new SfnError('ResourceNotFound', `Resource not found: '${arn}'`);
    }
    // A version ARN lists the aliases that route to that version.
    const all = Object.values(machine.aliases)
      .filter(
        (alias) =>
          parts.version === undefined ||
          alias.routingConfiguration.some((entry) => entry.stateMachineVersionArn === arn),
      )
      .sort(byNewest);
    const { items, nextToken } = page(all, input);
    return {
      stateMachineAliases: items.map((alias) => ({
        stateMachineAliasArn: aliasArn(machine.arn, alias.name),
        creationDate: seconds(alias.creationDate),
      })),
      nextToken,
    };
  },

  DeleteStateMachineAlias(context, input) {
    const { machine, alias } = existingAlias(context, requiredString(input, 'stateMachineAliasArn'));
    delete machine.aliases[alias.name];
    context.store.putMachine(machine);
    return {};
  },
};
