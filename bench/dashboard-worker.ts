/**
 * One table's dashboard, in its own process: the real handler (`functions/dashboard/handler.ts`,
 * loaded through the local stack's `invokeFunction`, which gives it a Lambda context) with its
 * configuration in this process's environment, so its module-scope clients point at one table
 * of DynamoDB Local. The parent sends batches of requests; each is timed from the call into the
 * handler to its result (the event is built before, the checks are made after).
 */
import type http from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import { BatchGetCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { dynamo } from '#platform/clients.ts';
import { config } from '#platform/config.ts';
import { invokeFunction } from '../infra/local/functions.ts';
import { toApiGatewayEvent } from '../infra/local/gateway.ts';
import type { Call, Check, FromWorker, ToWorker } from './dashboard-protocol.ts';
import { countSdkCalls, type Instrumentable } from './sdk-calls.ts';

const calls = countSdkCalls({ dynamodb: dynamo as unknown as Instrumentable });
let cookie = '';

/**
 * Wall time during which at least one DynamoDB call is in flight (SDK serialisation, the HTTP
 * round trip to DynamoDB Local and parsing included): the rest of a request's time is the
 * handler's own work.
 */
let inFlight = 0;
let busySince = 0;
let busyMs = 0;
(dynamo as unknown as Instrumentable).middlewareStack.add(
  (next) => async (args) => {
    if (inFlight++ === 0) busySince = performance.now();
    try {
      return await next(args);
    } finally {
      if (--inFlight === 0) busyMs += performance.now() - busySince;
    }
  },
  { step: 'initialize', name: 'tendBenchDynamoTime' },
);

/** An API Gateway v2 event built by the local gateway's own code, from a request-like object. */
function event(method: string, url: string, routeKey: string, params: Record<string, string>, body = '') {
  const parsed = new URL(url, 'http://localhost:3000');
  const headers: Record<string, string> = { host: 'localhost:3000', 'user-agent': 'tend-bench' };
  if (cookie) headers.cookie = cookie;
  if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
  const req = { method, headers, httpVersion: '1.1', socket: { remoteAddress: '127.0.0.1' } };
  return toApiGatewayEvent(req as unknown as http.IncomingMessage, parsed, Buffer.from(body), routeKey, params);
}

const eventFor = (call: Call) => {
  if (call.page === 'shell') return event('GET', '/dashboard/overview', 'GET /dashboard/{page}', { page: 'overview' });
  const query = call.query ? `?${new URLSearchParams(call.query)}` : '';
  return event('GET', `/dashboard/data/${call.page}${query}`, 'GET /dashboard/data/{name}', { name: call.page });
};

async function signIn(token: string) {
  // The sign-in form first, as a browser: its cookie and CSRF token go with the post.
  const form = (await invokeFunction(
    'dashboard',
    event('GET', '/dashboard/sign-in', 'GET /dashboard/{page}', { page: 'sign-in' }),
  )) as APIGatewayProxyStructuredResultV2;
  cookie = String(form.headers?.['set-cookie'] ?? '').split(';')[0] ?? '';
  const csrf = /name="csrf" value="([^"]+)"/.exec(String(form.body ?? ''))?.[1] ?? '';
  const body = `csrf=${encodeURIComponent(csrf)}&token=${encodeURIComponent(token)}`;
  const result = (await invokeFunction(
    'dashboard',
    event('POST', '/dashboard/sign-in', 'POST /dashboard/sign-in', {}, body),
  )) as APIGatewayProxyStructuredResultV2;
  const setCookie = String(result.headers?.['set-cookie'] ?? '');
  if (result.statusCode !== 303 || !setCookie) throw new Error(`sign-in answered ${result.statusCode}`);
  cookie = setCookie.split(';')[0] ?? '';
}

const DAY_MS = 86_400_000;
/** The day counter items of the 100 days before today (every one exists in a loaded shop). */
const dayKeys = () =>
  Array.from({ length: 100 }, (_, i) => {
    const sk = `kpi#day#${new Date(Date.now() - (i + 1) * DAY_MS).toISOString().slice(0, 10)}`;
    return { pk: 'COUNTERS#kpi', sk };
  });

type Result = APIGatewayProxyStructuredResultV2;

/**
 * The request, ready to time: the handler with a prebuilt event, or a storage floor through the
 * app's own client, read as its adapters read (GetItem consistent like `tableOps.get`, BatchGetItem
 * eventually consistent like `getCounters`).
 */
function prepare(call: Call): () => Promise<Result> {
  const TableName = config.TEND_TABLE_NAME;
  const keys = dayKeys();
  if (call.page === 'get-item') {
    const command = new GetCommand({ TableName, Key: keys[0], ConsistentRead: true });
    return async () => {
      const out = await dynamo.send(command);
      return { statusCode: 200, body: JSON.stringify({ items: out.Item ? 1 : 0 }) };
    };
  }
  if (call.page === 'batch-get') {
    const command = new BatchGetCommand({ RequestItems: { [TableName]: { Keys: keys } } });
    return async () => {
      const out = await dynamo.send(command);
      const unprocessed = Object.keys(out.UnprocessedKeys ?? {}).length > 0;
      return {
        statusCode: unprocessed ? 500 : 200,
        body: JSON.stringify({ items: out.Responses?.[TableName]?.length ?? 0 }),
      };
    };
  }
  const built = eventFor(call);
  return async () => (await invokeFunction('dashboard', built)) as Result;
}

type Json = Record<string, unknown>;
const list = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);

/** Why a response is not what the loaded data says it must be; undefined when it is. */
function problem(check: Check, result: APIGatewayProxyStructuredResultV2): string | undefined {
  if (result.statusCode !== 200) return `status ${result.statusCode}: ${String(result.body).slice(0, 200)}`;
  if (check.kind === 'shell')
    return String(result.body).startsWith('<!doctype html>') ? undefined : 'the page shell is not HTML';
  const body = JSON.parse(String(result.body)) as Json;
  switch (check.kind) {
    case 'probe':
      return body.items === check.items ? undefined : `${String(body.items)} items, not ${check.items}`;
    case 'overview': {
      if (!isDeepStrictEqual(body, check.expected)) return 'overview differs from the in-memory aggregates';
      return undefined;
    }
    case 'journeys': {
      const journeys = list(body.journeys);
      if (journeys.length !== Object.keys(check.liveVersions).length) return `${journeys.length} journeys`;
      for (const j of journeys) {
        const id = String(j.journeyId);
        if (j.status !== 'live' || j.liveVersion !== check.liveVersions[id]) return `${id} is not live`;
        if (!isDeepStrictEqual(j.reports, check.reports[id])) return `${id}: reports differ from the aggregates`;
      }
      return undefined;
    }
    case 'journey': {
      if (body.journeyId !== check.journeyId || body.liveVersion !== check.liveVersion) return 'wrong journey';
      const graph = body.graph as { nodes?: unknown[] } | null;
      if ((graph?.nodes?.length ?? 0) !== check.nodes) return `graph has ${graph?.nodes?.length ?? 0} nodes`;
      if (list(body.history).length !== check.liveVersion) return `history has ${list(body.history).length} versions`;
      if (!isDeepStrictEqual(body.reports, check.reports)) return 'reports differ from the aggregates';
      return undefined;
    }
    case 'contact': {
      const contact = body.contact as Json | undefined;
      if (contact?.email !== check.email || contact.contactId !== check.contactId) return 'wrong contact';
      const timeline = list(body.timeline);
      if (timeline.length !== Math.min(50, check.events)) return `timeline of ${timeline.length}, not ${check.events}`;
      if (timeline[0]?.eventId !== check.newestEventId) return 'timeline does not start with the newest event';
      const segments = list(body.segments)
        .map((s) => String(s.segmentId))
        .sort();
      if (!isDeepStrictEqual(segments, check.segments)) return `segments ${segments.join(',')}`;
      if (list(body.enrollments).length !== check.enrollments) return `${list(body.enrollments).length} enrollments`;
      return undefined;
    }
    case 'segments': {
      const segments = list(body.segments);
      if (segments.length !== Object.keys(check.members).length) return `${segments.length} segments`;
      for (const s of segments) {
        if (s.members !== check.members[String(s.id)]) return `${String(s.id)} has ${String(s.members)} members`;
        if ((s.reevaluation as Json | undefined)?.status !== 'done') return `${String(s.id)} re-evaluation not done`;
      }
      return undefined;
    }
    case 'segment': {
      const segment = body.segment as Json | undefined;
      if (segment?.id !== check.segmentId || segment.members !== check.members) return 'wrong segment or count';
      if (list(body.members).length !== Math.min(50, check.members)) return `${list(body.members).length} listed`;
      if (body.more !== check.members > 50) return '"more" is wrong';
      return undefined;
    }
    default:
      return 'unknown check';
  }
}

async function run(batch: Call[]): Promise<Extract<FromWorker, { type: 'ran' }>> {
  const ms: number[] = [];
  const dynamoMs: number[] = [];
  const bytes: number[] = [];
  const failures: string[] = [];
  let failed = 0;
  calls.reset();
  for (const call of batch) {
    const request = prepare(call);
    busyMs = 0;
    const started = performance.now();
    const result = await request();
    ms.push(performance.now() - started);
    dynamoMs.push(busyMs);
    bytes.push(Buffer.byteLength(String(result.body ?? '')));
    const wrong = problem(call.check, result);
    if (wrong) {
      failed += 1;
      if (failures.length < 3)
        failures.push(`${call.page}${call.query ? ` ${JSON.stringify(call.query)}` : ''}: ${wrong}`);
    }
  }
  return { type: 'ran', ms, dynamoMs, bytes, failed, failures, sdkCalls: calls.snapshot() };
}

process.on('message', (message: ToWorker) => {
  const reply = (m: FromWorker) => process.send?.(m);
  const fail = (error: unknown) =>
    reply({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  if (message.type === 'sign-in') signIn(message.token).then(() => reply({ type: 'signed-in' }), fail);
  else if (message.type === 'run') run(message.calls).then(reply, fail);
  else process.exit(0);
});
process.send?.({ type: 'ready' } satisfies FromWorker);
