import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { CodedError, type ErrorKind } from '#core/errors.ts';
import { parseOrRefuse } from '#core/parse.ts';
import { PlatformError } from './errors.ts';
import { type HttpEvent, httpLambda, json, jsonBody, limitBody, statusOf } from './http.ts';
import { logger } from './observability.ts';

/** The HTTP wrapper: the one place a thrown error becomes a status and a JSON body. */

const context = { functionName: 'test', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 1000 } as Context;

const event = (body = ''): HttpEvent =>
  ({
    routeKey: 'POST /test',
    rawPath: '/test',
    headers: {},
    body,
    isBase64Encoded: false,
    requestContext: { http: { method: 'POST', path: '/test' } },
  }) as unknown as HttpEvent;

const answer = async (fn: (event: HttpEvent) => Promise<ReturnType<typeof json>>, body = '') => {
  const result = await httpLambda(fn)(event(body), context);
  return { status: result.statusCode, body: JSON.parse(String(result.body)) };
};

beforeEach(() => {
  vi.spyOn(logger, 'info').mockImplementation(() => undefined);
  vi.spyOn(logger, 'error').mockImplementation(() => undefined);
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('the HTTP wrapper', () => {
  it.each([
    ['invalid', 400],
    ['unauthorized', 401],
    ['forbidden', 403],
    ['not-found', 404],
    ['conflict', 409],
    ['gone', 410],
    ['too-large', 413],
    ['unprocessable', 422],
  ] as const)('answers a coded error of kind %s with %i, its code and its message', async (kind, status) => {
    const refused = await answer(async () => {
      throw new CodedError('some_code', kind, 'what went wrong');
    });

    expect(refused).toEqual({ status, body: { error: { code: 'some_code', message: 'what went wrong' } } });
  });

  it('includes the details of a refusal, such as every problem and its path', async () => {
    const schema = z.object({ name: z.string() }).strict();

    const refused = await answer(async (e) => json(200, parseOrRefuse(schema, jsonBody(e), 'the thing')), '{"name":1}');

    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({
      code: 'invalid_payload',
      message: expect.stringMatching(/^the thing is invalid: name: /),
      details: [{ path: 'name', message: expect.any(String) }],
    });
  });

  it('refuses a body that is not JSON, and one over the limit', async () => {
    expect(await answer(async (e) => json(200, jsonBody(e)), '{"a":')).toEqual({
      status: 400,
      body: { error: { code: 'malformed_json', message: 'the body is not valid JSON' } },
    });
    expect(await answer(async (e) => json(200, { size: limitBody(e, 4).length }), '12345')).toEqual({
      status: 413,
      body: { error: { code: 'payload_too_large', message: 'the body is larger than 4 bytes' } },
    });
    expect(await answer(async (e) => json(200, { size: limitBody(e, 5).length }), '12345')).toEqual({
      status: 200,
      body: { size: 5 },
    });
  });

  it('answers the platform’s own refusals from the same table', async () => {
    expect(
      await answer(async () => {
        throw new PlatformError('no_route', 'no route GET /nowhere');
      }),
    ).toEqual({ status: 404, body: { error: { code: 'no_route', message: 'no route GET /nowhere' } } });
  });

  it('hides the message of anything else behind a 500, and logs it', async () => {
    const failed = await answer(async () => {
      throw new Error('the table password is hunter2');
    });
    const unavailable = await answer(async () => {
      throw new CodedError('table_down', 'unavailable', 'the table at 10.0.0.7 does not answer');
    });

    for (const result of [failed, unavailable]) {
      expect(result).toEqual({ status: 500, body: { error: { code: 'internal_error', message: 'internal error' } } });
    }
    expect(logger.error).toHaveBeenCalledTimes(2);
  });

  it('gives a handler that renders its own page the status of a kind', () => {
    const statuses = (['not-found', 'unauthorized', 'unavailable'] as ErrorKind[]).map(statusOf);

    expect(statuses).toEqual([404, 401, 503]);
  });
});
