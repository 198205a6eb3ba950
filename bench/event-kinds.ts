/**
 * DynamoDB calls per event kind: everything one event sets off until the stack is quiet again
 * (ingest, processing, every stream consumer, the journey steps, the send and its SES events),
 * split by command and item kind, divided by the events of that kind the window held.
 */
import type { LocalStack } from '../infra/local/stack.ts';
import { schedules } from '../infra/manifest.ts';
import type { InvocationWatch } from './invocations.ts';
import { type CallsByFunction, OUTSIDE_FUNCTIONS } from './sdk-calls.ts';
import { round } from './stats.ts';
import { createOrderFactory } from './webhooks.ts';

export type EventKind = 'form' | 'order';

/** The budgets the project sets: DynamoDB requests per event, everything it sets off included. */
export const DYNAMO_BUDGET: Record<EventKind, number> = { form: 15, order: 20 };

export interface EventKindCalls {
  kind: EventKind;
  mode: 'under load' | 'one at a time';
  /** Webhooks of this kind stored in the window (successful ingest-webhook invocations). */
  events: number;
  budget: number;
  /** DynamoDB calls per event, all labels together. */
  dynamoPerEvent: number;
  /** Calls per event by `service command item-kinds`, DynamoDB, Step Functions and SES. */
  perEvent: Record<string, number>;
  /** DynamoDB calls per event by the function that made them. */
  dynamoByFunction: Record<string, number>;
  /** Calls per event by `function: service command item-kinds`, to see who makes which call. */
  byFunctionAndCall: Record<string, number>;
  /**
   * Calls in the window that belong to no event: the scheduled sweeps (every minute whatever
   * happens) and anything outside a function. Totals, not per event.
   */
  excluded: Record<string, number>;
}

const SCHEDULED = new Set<string>(schedules.map((s) => s.function));

/** Splits a window's calls into what its events cost and what runs regardless. */
export function callsPerEvent(
  kind: EventKind,
  mode: EventKindCalls['mode'],
  events: number,
  calls: CallsByFunction,
): EventKindCalls {
  const perEvent = new Map<string, number>();
  const dynamoByFunction: Record<string, number> = {};
  const excluded: Record<string, number> = {};
  const byFunctionAndCall = new Map<string, number>();
  let dynamo = 0;
  for (const [fn, labels] of Object.entries(calls)) {
    for (const [label, count] of Object.entries(labels)) {
      if (SCHEDULED.has(fn) || fn === OUTSIDE_FUNCTIONS) {
        excluded[`${fn}: ${label}`] = count;
        continue;
      }
      perEvent.set(label, (perEvent.get(label) ?? 0) + count);
      byFunctionAndCall.set(`${fn}: ${label}`, count);
      if (!label.startsWith('dynamodb ')) continue;
      dynamo += count;
      dynamoByFunction[fn] = (dynamoByFunction[fn] ?? 0) + count;
    }
  }
  const per = (n: number) => round(n / Math.max(1, events), 2);
  return {
    kind,
    mode,
    events,
    budget: DYNAMO_BUDGET[kind],
    dynamoPerEvent: per(dynamo),
    perEvent: Object.fromEntries([...perEvent].sort((a, b) => b[1] - a[1]).map(([l, n]) => [l, per(n)])),
    dynamoByFunction: Object.fromEntries(
      Object.entries(dynamoByFunction)
        .sort((a, b) => b[1] - a[1])
        .map(([fn, n]) => [fn, per(n)]),
    ),
    byFunctionAndCall: Object.fromEntries(
      [...byFunctionAndCall].sort((a, b) => a[0].localeCompare(b[0])).map(([l, n]) => [l, per(n)]),
    ),
    excluded,
  };
}

/**
 * Resolves once the stream driver has delivered everything, SES's events are handled and no
 * handler has run for `quietMs` (a journey's next Task starts within microseconds of the last,
 * so a quiet gap means its execution reached a Wait or its end).
 */
export async function settle(
  stack: LocalStack,
  watch: InvocationWatch,
  /** Longest time without a single handler invocation (a backlog that is moving is waited for). */
  timeoutMs = 60_000,
  quietMs = 300,
  progress?: (invocations: number) => void,
) {
  const invocations = () => Object.values(watch.snapshot()).reduce((sum, t) => sum + (t?.invocations ?? 0), 0);
  let seen = invocations();
  let movedAt = performance.now();
  let reportedAt = movedAt;
  while (performance.now() - movedAt < timeoutMs) {
    await stack.drained();
    if (watch.idle(quietMs)) {
      await stack.drained();
      if (watch.idle(quietMs)) return;
    }
    const now = invocations();
    if (now !== seen) {
      seen = now;
      movedAt = performance.now();
    }
    if (progress && performance.now() - reportedAt >= 10_000) {
      reportedAt = performance.now();
      progress(now);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the stack did nothing for ${timeoutMs / 1000} s and was not settled`);
}

/**
 * Posts signed `order.placed` envelopes one at a time, each placed by an existing contact and
 * followed by `settle`; `onWarmedUp` runs after the unrecorded first ones.
 */
export async function postOrdersOneAtATime(options: {
  apiUrl: string;
  secret: string;
  runId: string;
  customers: readonly string[];
  samples: number;
  warmupSamples: number;
  settle: () => Promise<void>;
  onWarmedUp: () => void;
}): Promise<void> {
  const factory = createOrderFactory(options.secret, options.runId, 'ord1', options.customers);
  for (let i = 0; i < options.warmupSamples + options.samples; i++) {
    if (i === options.warmupSamples) options.onWarmedUp();
    const order = factory.next();
    const res = await fetch(`${options.apiUrl}/webhooks/demo-form`, {
      method: 'POST',
      headers: order.headers,
      body: order.body,
    });
    await res.text();
    if (res.status !== 202) throw new Error(`an order webhook was answered ${res.status}`);
    await options.settle();
  }
}
