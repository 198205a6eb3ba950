import { type HttpResult, statusOf } from '#platform/http.ts';
import { CONTENT_SECURITY_POLICY } from './pages.ts';

/** The dashboard's answers: every one uncached and under the same security headers. */

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  // Not no-referrer: under it a browser posts forms with `Origin: null`, and the forms' origin
  // check (./csrf.ts) needs the real one. same-origin still sends nothing to another site.
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

export const respond = (
  statusCode: number,
  type: string,
  body: string,
  headers: Record<string, string> = {},
): HttpResult => ({
  statusCode,
  headers: { 'content-type': type, 'cache-control': 'no-store', ...SECURITY_HEADERS, ...headers },
  body,
});

export const page = (statusCode: number, body: string, headers: Record<string, string> = {}) =>
  respond(statusCode, 'text/html; charset=utf-8', body, headers);

export const redirect = (location: string, headers: Record<string, string> = {}) =>
  respond(303, 'text/plain; charset=utf-8', '', { location, ...headers });

export const notFound = () =>
  page(
    statusOf('not-found'),
    '<!doctype html><title>Not found</title><p>No such page. <a href="/dashboard">Dashboard</a></p>',
  );
