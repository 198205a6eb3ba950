import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { type FunctionName, functions } from '../manifest.ts';

type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

const ROOT = path.resolve(import.meta.dirname, '../..');
const loaded = new Map<FunctionName, Promise<LambdaHandler>>();

/**
 * Wraps each handler call, after the handler is loaded (benchmarks time invocations and tag the
 * SDK calls made inside them). It must call `run` once and return its outcome unchanged.
 */
export type InvocationObserver = <T>(name: FunctionName, run: () => Promise<T>) => Promise<T>;
let observer: InvocationObserver | undefined;

/** Sets (or with undefined removes) the one invocation observer; without one nothing changes. */
export function observeInvocations(next: InvocationObserver | undefined): void {
  observer = next;
}

/** Loads a handler on first use, like a cold start; configuration must be in process.env by then. */
function load(name: FunctionName): Promise<LambdaHandler> {
  let pending = loaded.get(name);
  if (!pending) {
    const entry = pathToFileURL(path.join(ROOT, functions[name].entry)).href;
    pending = import(entry).then((mod: { handler: LambdaHandler }) => mod.handler);
    loaded.set(name, pending);
  }
  return pending;
}

export const isFunctionName = (name: string): name is FunctionName => Object.hasOwn(functions, name);

/**
 * Invokes a function the way Lambda would: the same handler, a Lambda-shaped context and the
 * manifest's timeout. A timeout rejects with `States.Timeout`-compatible naming left to callers.
 */
export async function invokeFunction(name: FunctionName, event: unknown): Promise<unknown> {
  const handler = await load(name);
  const spec = functions[name];
  const deadline = Date.now() + spec.timeoutSeconds * 1000;
  const context = {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `tend-${name}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:tend-${name}`,
    memoryLimitInMB: String(spec.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/tend-${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  } satisfies Context;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`function ${name} timed out after ${spec.timeoutSeconds} s`);
      error.name = 'Sandbox.Timedout';
      reject(error);
    }, spec.timeoutSeconds * 1000);
  });
  const run = () => Promise.race([handler(event, context), timeout]);
  try {
    return await (observer ? observer(name, run) : run());
  } finally {
    clearTimeout(timer);
  }
}

/** The local ARN under which a compiled journey calls a function. */
export const localFunctionArn = (name: FunctionName) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
