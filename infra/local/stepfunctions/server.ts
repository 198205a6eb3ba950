import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SfnError } from './errors.ts';
import { operations } from './operations.ts';
import type { OperationContext } from './requests.ts';
import { ExecutionRunner } from './runner.ts';
import { Store } from './store.ts';
import type { InvokeFunction } from './task-resources.ts';
import { TaskTokens } from './task-tokens.ts';

export interface StepFunctionsLocalOptions {
  /** 0 picks a free port. */
  port: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /**
   * When set, state machines (with their versions and aliases) and executions (with their waiting
   * Waits and task tokens) persist in `<dataDir>`: `stepfunctions.json` plus the append-only
   * `stepfunctions.journal` of every change since (see store.ts).
   */
  dataDir?: string;
  /**
   * Simulated seconds per real second (default 1): 86400 makes a one-day Wait last a second. Also
   * applies to the execution's TimeoutSeconds, retry intervals, and the TimeoutSeconds and
   * HeartbeatSeconds of `.waitForTaskToken` tasks.
   */
  timeScale?: number;
  /** Defaults to 'us-east-1'. */
  region?: string;
  /** Defaults to '000000000000'. */
  accountId?: string;
  /**
   * Runs a Lambda handler locally; a thrown error's `name` is what Retry/Catch match. `.waitForTaskToken`
   * tasks call it once with the token in the payload, then wait for SendTaskSuccess/Failure.
   */
  invokeFunction: InvokeFunction;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

export interface StepFunctionsLocal {
  /** `http://host:port`, for `new SFNClient({ endpoint })`. */
  endpoint: string;
  /** Stops serving and running; RUNNING executions stay RUNNING and resume on the next start. */
  close(): Promise<void>;
}

const TARGET_PREFIX = 'AWSStepFunctions.';
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/**
 * Starts a local endpoint speaking the Step Functions JSON protocol (`X-Amz-Target`,
 * `application/x-amz-json-1.0`), so `@aws-sdk/client-sfn` works against it unchanged: state
 * machines, versions and aliases, executions, history and task tokens (see operations.ts).
 * Executions run in-process with aws-local-stepfunctions; Lambda Tasks call `invokeFunction`.
 */
export async function startStepFunctionsLocal(options: StepFunctionsLocalOptions): Promise<StepFunctionsLocal> {
  const log = options.log ?? (() => {});
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0)) throw new Error(`timeScale must be positive, got ${timeScale}`);
  const region = options.region ?? 'us-east-1';
  const store = await Store.open(options.dataDir, (error) =>
    log('stepfunctions store write failed', { error: String(error) }),
  );
  const tokens = new TaskTokens({ store, region, timeScale, invokeFunction: options.invokeFunction });
  const runner = new ExecutionRunner({ store, region, timeScale, invokeFunction: options.invokeFunction, tokens, log });
  const context: OperationContext = {
    store,
    runner,
    tokens,
    scope: { region, accountId: options.accountId ?? '000000000000' },
  };

  for (const execution of store.executions.values()) {
    if (execution.status === 'RUNNING') runner.resume(execution);
  }

  const server = createServer((request, response) => {
    void handle(context, request, response, log);
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log('stepfunctions local listening', { endpoint, dataDir: options.dataDir, timeScale });

  let closing: Promise<void> | undefined;
  return {
    endpoint,
    close() {
      closing ??= (async () => {
        runner.closeAll();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await store.close();
      })();
      return closing;
    },
  };
}

async function handle(
  context: OperationContext,
  request: IncomingMessage,
  response: ServerResponse,
  log: (message: string, fields?: Record<string, unknown>) => void,
): Promise<void> {
  const requestId = randomUUID();
  const target = request.headers['x-amz-target'];
  const operationName =
    typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
  try {
    if (request.method !== 'POST')
      throw new SfnError('UnknownOperationException', `Unsupported method ${request.method}`);
    const operation = operationName === undefined ? undefined : operations[operationName];
    if (!operation) {
      throw new SfnError(
        'UnknownOperationException',
        `Operation '${String(target)}' is not supported by the local endpoint`,
      );
    }
    const input = await readJson(request);
    const changesBefore = context.store.changes;
    const result = operation(context, input);
    // Write-ahead: what the caller is told happened (an execution started, a task answered) is on
    // disk first, so a kill after the answer cannot undo it.
    if (context.store.changes !== changesBefore) await context.store.durable();
    send(response, 200, requestId, result);
  } catch (error) {
    if (error instanceof SfnError) {
      send(response, error.status, requestId, { __type: error.type, message: error.message });
      return;
    }
    log('stepfunctions request failed', { operation: operationName, error: String(error) });
    send(response, 500, requestId, {
      __type: 'InternalFailure',
      message: 'Internal error in the local Step Functions endpoint',
    });
  }
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new SfnError('ValidationException', 'Request body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new SfnError('SerializationException', 'The request body is not valid JSON');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new SfnError('SerializationException', 'The request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

function send(response: ServerResponse, status: number, requestId: string, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId,
  });
  response.end(text);
}
