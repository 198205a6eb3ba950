import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { CodedError } from '#core/errors.ts';
import { ROUTE_ACCESS, type RouteAccess } from '#people/access.ts';
import { auditEntryFor, leavesEntry } from '#people/audit.ts';
import { PeopleError } from '#people/errors.ts';
import type { Caller } from '#people/model.ts';
import { personHash } from '#people/person-hash.ts';
import { can, PERMISSIONS } from '#people/roles.ts';
import { hashMatches, parsePersonalToken } from '#people/tokens.ts';
import { type HttpEvent, type HttpResult, header, httpLambda, statusOf } from './http.ts';
import { logger } from './observability.ts';
import { adminToken, linkSecret } from './secrets.ts';
import { clock } from './wiring/clock.ts';
import { people } from './wiring/people.ts';

/** The bearer token of a request, or ''. */
export const bearer = (event: HttpEvent): string =>
  header(event, 'authorization')?.match(/^Bearer\s+(.+)$/i)?.[1] ?? '';

const unauthenticated = () =>
  new PeopleError(
    'unauthorized',
    'a valid "Authorization: Bearer <token>" header is required: a personal token or the admin token',
  );

/**
 * Who is calling: a user by their personal token (one read), the admin token, or, on routes that
 * take one, an API key (`apiKey` checks it: its key id, or undefined when the token is not one).
 */
export async function authenticate(
  event: HttpEvent,
  apiKey?: (token: string) => Promise<string | undefined>,
): Promise<Caller> {
  const given = bearer(event);
  if (given === '') throw unauthenticated();
  const keyId = await apiKey?.(given);
  if (keyId) return { kind: 'api-key', keyId };
  const personal = parsePersonalToken(given);
  if (personal) {
    const { user, token } = await people.getUserAndToken(personal.userId, personal.tokenId);
    if (!user || !token || token.revokedAt || !hashMatches(personal.secret, token.hash)) throw unauthenticated();
    return {
      kind: 'user',
      userId: user.userId,
      email: user.email,
      role: user.role,
      via: 'token',
      tokenName: token.name,
    };
  }
  // Compared as hashes, so neither the time taken nor an early length check tells its length.
  const digest = (value: string) => createHash('sha256').update(value).digest();
  if (!timingSafeEqual(digest(given), digest(await adminToken()))) throw unauthenticated();
  return { kind: 'admin-token', role: 'admin' };
}

/** The route's access rule; a route without one is a mistake in `access.ts`, not the caller's. */
export function accessOf(routeKey: string): RouteAccess {
  const access = ROUTE_ACCESS[routeKey];
  if (!access) throw new Error(`no access rule for ${routeKey} in shared/people/access.ts`);
  return access;
}

/** Refuses a caller whose role does not hold the route's permission (403, naming both). */
export function authorize(event: HttpEvent, caller: Caller): void {
  const access = accessOf(event.routeKey);
  // An API key was checked for the route's scope when it was authenticated.
  if (caller.kind === 'api-key') return;
  if (access.self && caller.kind === 'user' && caller.userId === event.pathParameters?.userId) return;
  if (can(caller.role, access.permission)) return;
  throw new PeopleError(
    'forbidden',
    `the ${caller.role} role may not do this: ${event.routeKey} needs "${access.permission}" (${PERMISSIONS[access.permission]})`,
  );
}

/** Path parameters as the audit log may keep them: a person's id only as its keyed hash. */
async function auditParams(event: HttpEvent): Promise<Record<string, string>> {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.pathParameters ?? {})) {
    if (value === undefined) continue;
    params[name] = name === 'contactId' ? `#${personHash(await linkSecret(), value)}` : value;
  }
  return params;
}

async function audit(event: HttpEvent, caller: Caller, status: number, body: string | undefined) {
  const access = ROUTE_ACCESS[event.routeKey];
  // Before reading the answer back or hashing an id: most requests are reads that leave nothing.
  if (!leavesEntry(access, caller, status)) return;
  let response: unknown;
  try {
    response = body ? JSON.parse(body) : undefined;
  } catch {
    response = undefined;
  }
  const entry = auditEntryFor(access, {
    caller,
    route: event.routeKey,
    params: await auditParams(event),
    status,
    response,
    ip: event.requestContext?.http?.sourceIp,
    userAgent: event.requestContext?.http?.userAgent,
    at: clock.now(),
  });
  if (entry) await people.appendAudit(entry);
}

/**
 * An API route: authenticates the caller, checks the route's permission for their role, runs
 * the handler and writes the audit entry the request leaves (`access.ts`). A change is answered
 * only once its audit entry is written.
 */
export function apiLambda(
  fn: (event: HttpEvent, caller: Caller, context: Context) => Promise<HttpResult>,
  options: {
    /** Routes answered before any authentication (the API's own description). */
    publicRoutes?: Record<string, (event: HttpEvent) => Promise<HttpResult> | HttpResult>;
    /**
     * Also accept an API key: the route's own check (its scope), which answers the key's id, or
     * undefined for a token that is not an API key. Only the routes taking keys bring the key store.
     */
    apiKey?: (token: string) => Promise<string | undefined>;
  } = {},
) {
  return httpLambda(async (event, context) => {
    const open = options.publicRoutes?.[event.routeKey];
    if (open) return open(event);
    const caller = await authenticate(event, options.apiKey);
    let result: HttpResult;
    try {
      authorize(event, caller);
      result = await fn(event, caller, context);
    } catch (error) {
      if (caller.kind === 'admin-token') {
        const status = error instanceof CodedError ? statusOf(error.kind) : 500;
        await audit(event, caller, status, undefined).catch((e) => logger.error('audit failed', { error: e }));
      }
      throw error;
    }
    await audit(event, caller, result.statusCode ?? 200, result.body);
    return result;
  });
}
