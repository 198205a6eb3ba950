import {
  ConflictException,
  CreateStateMachineAliasCommand,
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  InvalidToken,
  ListStateMachinesCommand,
  ResourceNotFound,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
  StateMachineAlreadyExists,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
  UpdateStateMachineAliasCommand,
  UpdateStateMachineCommand,
} from '@aws-sdk/client-sfn';
import type { ExecutionInspector, ExecutionPath, ExecutionReader, JourneyRuntime } from './store.ts';

/** `arn:…:stateMachine:<machine>[:<version|alias>]` → `arn:…:execution:<machine>:<name>`. */
export const executionArnFor = (stateMachineArn: string, name: string): string =>
  `${stateMachineArn.split(':').slice(0, 7).join(':').replace(':stateMachine:', ':execution:')}:${name}`;

export interface SfnRuntimeOptions {
  /** Role the journey state machines run as (it may invoke the journey functions). */
  roleArn: string;
  /** State machine names are `<prefix>-<journeyId>`, so several stacks share an account. */
  namePrefix: string;
  /** CloudWatch Logs group for execution logs (AWS); unset locally. */
  logGroupArn?: string;
  tracing?: boolean;
  /** Tags put on a journey's state machine when it is created (the local endpoint reads `tend:time-scale`). */
  tags?: (journeyId: string) => Record<string, string>;
}

export const LIVE_ALIAS = 'live';

/**
 * Journeys on Step Functions: each journey is one Standard state machine; publishing makes a
 * new version and moves the `live` alias to it; each enrollment is an execution of the version
 * it entered, named by the enrollment id.
 */
export function createSfnJourneyRuntime(
  sfn: SFNClient,
  options: SfnRuntimeOptions,
): JourneyRuntime & ExecutionInspector {
  const machineName = (journeyId: string) => `${options.namePrefix}-${journeyId}`.slice(0, 80);

  async function findMachine(name: string): Promise<string | undefined> {
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(new ListStateMachinesCommand({ nextToken, maxResults: 1000 }));
      const found = page.stateMachines?.find((m) => m.name === name);
      if (found?.stateMachineArn) return found.stateMachineArn;
      nextToken = page.nextToken;
    } while (nextToken);
    return undefined;
  }

  return {
    executionArnFor,
    async start({ stateMachineArn, enrollmentId, input }) {
      try {
        const out = await sfn.send(
          new StartExecutionCommand({ stateMachineArn, name: enrollmentId, input: JSON.stringify(input) }),
        );
        if (!out.executionArn) throw new Error('StartExecution returned no executionArn');
        return { executionArn: out.executionArn };
      } catch (error) {
        // A retry after the first start went through: a running execution with the same input is
        // returned as is, but a finished one answers ExecutionAlreadyExists. Either way it is ours.
        if (error instanceof ExecutionAlreadyExists)
          return { executionArn: executionArnFor(stateMachineArn, enrollmentId) };
        throw error;
      }
    },

    async stop(executionArn, reason) {
      try {
        await sfn.send(
          new StopExecutionCommand({ executionArn, error: 'Tend.EnrollmentEnded', cause: reason.slice(0, 32_000) }),
        );
      } catch (error) {
        if (!(error instanceof ExecutionDoesNotExist)) throw error;
      }
    },

    async executionStatus(executionArn) {
      try {
        const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
        return (described.status ?? 'RUNNING') as ExecutionPath['status'];
      } catch (error) {
        if (error instanceof ExecutionDoesNotExist) return undefined;
        throw error;
      }
    },

    async resume(taskToken, output) {
      try {
        await sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
        return 'resumed';
      } catch (error) {
        if (error instanceof TaskTimedOut || error instanceof TaskDoesNotExist || error instanceof InvalidToken)
          return 'gone';
        throw error;
      }
    },

    async publish(journeyId, definition, description) {
      const name = machineName(journeyId);
      const logging = options.logGroupArn
        ? {
            loggingConfiguration: {
              level: 'ALL' as const,
              includeExecutionData: true,
              destinations: [{ cloudWatchLogsLogGroup: { logGroupArn: options.logGroupArn } }],
            },
          }
        : {};
      let stateMachineArn: string | undefined;
      let versionArn: string | undefined;
      try {
        const created = await sfn.send(
          new CreateStateMachineCommand({
            name,
            definition,
            roleArn: options.roleArn,
            type: 'STANDARD',
            publish: true,
            versionDescription: description.slice(0, 256),
            tracingConfiguration: { enabled: options.tracing ?? false },
            tags: Object.entries(options.tags?.(journeyId) ?? {}).map(([key, value]) => ({ key, value })),
            ...logging,
          }),
        );
        stateMachineArn = created.stateMachineArn;
        versionArn = created.stateMachineVersionArn;
      } catch (error) {
        if (!(error instanceof StateMachineAlreadyExists)) throw error;
        stateMachineArn = await findMachine(name);
        if (!stateMachineArn) throw new Error(`state machine ${name} exists but could not be found`);
        const updated = await sfn.send(
          new UpdateStateMachineCommand({
            stateMachineArn,
            definition,
            roleArn: options.roleArn,
            publish: true,
            versionDescription: description.slice(0, 256),
          }),
        );
        versionArn = updated.stateMachineVersionArn;
      }
      if (!stateMachineArn || !versionArn) throw new Error(`publishing ${name} returned no version`);
      const routingConfiguration = [{ stateMachineVersionArn: versionArn, weight: 100 }];
      const aliasArn = `${stateMachineArn}:${LIVE_ALIAS}`;
      try {
        await sfn.send(new UpdateStateMachineAliasCommand({ stateMachineAliasArn: aliasArn, routingConfiguration }));
      } catch (error) {
        if (!(error instanceof ResourceNotFound)) throw error;
        try {
          await sfn.send(
            new CreateStateMachineAliasCommand({
              name: LIVE_ALIAS,
              description: 'The version new enrollments start on',
              routingConfiguration,
            }),
          );
        } catch (createError) {
          // Created concurrently: point it at this version.
          if (!(createError instanceof ConflictException)) throw createError;
          await sfn.send(new UpdateStateMachineAliasCommand({ stateMachineAliasArn: aliasArn, routingConfiguration }));
        }
      }
      return { stateMachineArn, versionArn, aliasArn };
    },
  };
}

/** At most this many history pages (1,000 events each) are read for one path. */
const MAX_HISTORY_PAGES = 5;

/**
 * Execution paths from Step Functions: DescribeExecution, then the history's StateEntered events
 * in order. `consoleRegion` (AWS only) adds a link to the execution in the console.
 */
export function createSfnExecutionReader(sfn: SFNClient, options: { consoleRegion?: string } = {}): ExecutionReader {
  return {
    async path(executionArn) {
      let described: DescribeExecutionCommandOutput;
      try {
        described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      } catch (error) {
        if (error instanceof ExecutionDoesNotExist) return undefined;
        throw error;
      }
      const steps: ExecutionPath['steps'] = [];
      let nextToken: string | undefined;
      for (let page = 0; page < MAX_HISTORY_PAGES; page++) {
        const out = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }));
        for (const e of out.events ?? []) {
          const name = e.stateEnteredEventDetails?.name;
          if (name && e.timestamp) steps.push({ state: name, enteredAt: new Date(e.timestamp).toISOString() });
        }
        nextToken = out.nextToken;
        if (!nextToken) break;
      }
      const region = options.consoleRegion;
      return {
        executionArn,
        status: (described.status ?? 'RUNNING') as ExecutionPath['status'],
        startedAt: new Date(described.startDate ?? 0).toISOString(),
        ...(described.stopDate ? { stoppedAt: new Date(described.stopDate).toISOString() } : {}),
        steps,
        ...(region
          ? {
              consoleUrl: `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${encodeURIComponent(executionArn)}`,
            }
          : {}),
      };
    },
  };
}
