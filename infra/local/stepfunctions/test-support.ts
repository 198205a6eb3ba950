/**
 * Helpers for the tests of the local endpoint: fake Lambdas, an SDK client, an endpoint per
 * `describe` block, deadline-bound polling and a few shortcuts. Every wait here has a deadline;
 * none sleeps blindly.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { WAIT_FOR_TOKEN_RESOURCE } from '#workflows/compile.ts';
import { type StepFunctionsLocal, startStepFunctionsLocal } from './server.ts';

export const ROLE = 'arn:aws:iam::000000000000:role/local';
export const DAY = 86_400;
export const lambdaArn = (name: string): string => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

type Fn = (payload: unknown) => Promise<unknown>;

/** Lambda handlers by name, and every call made to them. */
export function fakeLambdas() {
  const handlers = new Map<string, Fn>();
  const calls: { name: string; payload: unknown }[] = [];
  const invokeFunction = async (name: string, payload: unknown) => {
    calls.push({ name, payload });
    const handler = handlers.get(name);
    if (!handler) throw new Error(`no fake for ${name}`);
    return handler(payload);
  };
  return { handlers, calls, invokeFunction };
}

export interface LocalEndpoint {
  lambdas: ReturnType<typeof fakeLambdas>;
  /** Set before the first test runs. */
  local: StepFunctionsLocal;
  client: SFNClient;
}

/**
 * An endpoint shared by the tests of a `describe` block: started before them (persisting under a
 * fresh directory when `persist` is set), closed after them; the fake Lambdas are reset before
 * each test.
 */
export function useLocalEndpoint(options: { timeScale: number; persist?: boolean }): LocalEndpoint {
  const lambdas = fakeLambdas();
  const fixture = { lambdas } as LocalEndpoint;
  let dataDir: string | undefined;
  beforeAll(async () => {
    if (options.persist) dataDir = await mkdtemp(join(tmpdir(), 'sfn-local-'));
    fixture.local = await startStepFunctionsLocal({
      port: 0,
      dataDir,
      timeScale: options.timeScale,
      invokeFunction: lambdas.invokeFunction,
    });
    fixture.client = clientFor(fixture.local.endpoint);
  });
  afterAll(async () => {
    fixture.client?.destroy();
    await fixture.local?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    lambdas.handlers.clear();
    lambdas.calls.length = 0;
  });
  return fixture;
}

export function clientFor(endpoint: string): SFNClient {
  return new SFNClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/** Polls `read` until `done` holds, failing after `timeoutMs` with the last value seen. */
export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`deadline passed; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
}

export function finished(client: SFNClient, executionArn: string): Promise<DescribeExecutionCommandOutput> {
  return until(
    () => client.send(new DescribeExecutionCommand({ executionArn })),
    (out) => out.status !== 'RUNNING',
  );
}

export async function history(client: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  return (await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events ?? [];
}

/** Resolves with the history once some event satisfies `match`. */
export function historyWith(
  client: SFNClient,
  executionArn: string,
  match: (event: HistoryEvent) => boolean,
): Promise<HistoryEvent[]> {
  return until(
    () => history(client, executionArn),
    (events) => events.some(match),
  );
}

let counter = 0;
export async function createMachine(client: SFNClient, definition: object): Promise<string> {
  counter += 1;
  const out = await client.send(
    new CreateStateMachineCommand({
      name: `machine-${process.pid}-${counter}`,
      definition: JSON.stringify(definition),
      roleArn: ROLE,
    }),
  );
  return out.stateMachineArn ?? '';
}

export async function run(client: SFNClient, definition: object, input: unknown = {}) {
  const stateMachineArn = await createMachine(client, definition);
  const { executionArn = '' } = await client.send(
    new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }),
  );
  return { stateMachineArn, executionArn, result: await finished(client, executionArn) };
}

/** A token task calling `notify`; the token sits two levels deep in the payload. */
export function tokenTask(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Type: 'Task',
    Resource: WAIT_FOR_TOKEN_RESOURCE,
    Parameters: {
      FunctionName: lambdaArn('notify'),
      Payload: {
        'contactId.$': '$.contactId',
        callback: { 'token.$': '$$.Task.Token' },
        'waitStartedAt.$': '$$.State.EnteredTime',
        'executionStartedAt.$': '$$.Execution.StartTime',
      },
    },
    ...extra,
  };
}

export interface NotifyPayload {
  contactId: string;
  callback: { token: string };
  waitStartedAt: string;
  executionStartedAt: string;
}
