import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { CodedError, type ErrorKind } from '#core/errors.ts';
import { parseJson } from '#core/parse.ts';
import { PlatformError } from './errors.ts';
import { runInvocation } from './invocation.ts';
import { logger, metrics, tracer } from './observability.ts';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;

/** The one table: the status each kind of failure is answered with. */
const STATUS_OF: Record<ErrorKind, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  gone: 410,
  'too-large': 413,
  unprocessable: 422,
  unavailable: 503,
};

/** The status for a kind of failure, for a handler that answers it with a page of its own. */
export const statusOf = (kind: ErrorKind): number => STATUS_OF[kind];

export const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(body),
});

export const html = (statusCode: number, body: string): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'text/html; charset=utf-8' },
  body,
});

/** The body exactly as the client sent it: the bytes signatures are computed over. */
export const rawBody = (event: HttpEvent): Buffer =>
  Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');

/** The body parsed as JSON (an empty body is `{}`); `malformed_json` when it is not JSON. */
export function jsonBody(event: HttpEvent): unknown {
  return parseJson(rawBody(event).toString('utf8') || '{}');
}

/** Refuses a body above `limit` bytes before any work. */
export function limitBody(event: HttpEvent, limit: number): Buffer {
  const body = rawBody(event);
  if (body.length > limit) throw new PlatformError('payload_too_large', `the body is larger than ${limit} bytes`);
  return body;
}

/** Header lookup, case-insensitive (API Gateway v2 lower-cases, other callers may not). */
export function header(event: HttpEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/** Maps thrown errors to JSON responses; only messages below 500 reach the caller. */
const httpErrors = (): MiddlewareObj<HttpEvent, HttpResult> => ({
  onError: async (request) => {
    const error = request.error;
    const status = error instanceof CodedError ? STATUS_OF[error.kind] : 500;
    if (error instanceof CodedError && status < 500) {
      logger.info('request refused', { status, code: error.code, reason: error.message });
      request.response = json(status, {
        error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) },
      });
      return;
    }
    logger.error('request failed', { error });
    request.response = json(500, { error: { code: 'internal_error', message: 'internal error' } });
  },
});

/** Publishes metrics the handler recorded; unlike logMetrics, stays quiet when there are none. */
const publishMetrics = <E, R>(): MiddlewareObj<E, R> => {
  const publish = async () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return { after: publish, onError: publish };
};

type Handler<E, R> = (event: E, context: Context) => Promise<R>;

/** Middleware in one fixed order: tracer, logger, metrics, then (for HTTP) errors. */
export function lambda<E, R>(fn: Handler<E, R>) {
  return middy<E, R>()
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(publishMetrics<E, R>())
    .handler((event, context) => runInvocation(() => fn(event, context)));
}

export function httpLambda(fn: Handler<HttpEvent, HttpResult>) {
  return lambda<HttpEvent, HttpResult>(fn).use(httpErrors());
}
