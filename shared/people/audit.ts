import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import { parseOrRefuse } from '#core/parse.ts';
import type { RouteAccess } from './access.ts';
import type { AuditEntry, Caller } from './model.ts';
import type { AuditStore } from './store.ts';

/** The audit log: who changed what, when and from where. Appended to, never changed. */

export const auditQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().min(1).max(2000).optional(),
    /** A user id, an email, a token's name, or `admin-token`. */
    actor: z.string().min(1).max(320).optional(),
    /** A target or its prefix: `journey:onboarding`, `journey:`, `user:…`. */
    target: z.string().min(1).max(300).optional(),
  })
  .strict();

export async function listAudit(store: AuditStore, query: unknown) {
  return store.listAudit(parseOrRefuse(auditQuerySchema, query ?? {}, 'the audit query'));
}

export const actorOf = (caller: Caller): AuditEntry['actor'] =>
  caller.kind === 'admin-token'
    ? { kind: 'admin-token', role: 'admin' }
    : caller.kind === 'api-key'
      ? { kind: 'api-key', keyId: caller.keyId }
      : {
          kind: 'user',
          role: caller.role,
          userId: caller.userId,
          email: caller.email,
          via: caller.via,
          ...(caller.tokenName ? { tokenName: caller.tokenName } : {}),
        };

/** Fills `{param}` from the path and `{response.a.b}` from the answer; unknowns stay as written. */
export function fillPhrase(phrase: string, params: Record<string, string>, response: unknown): string {
  return phrase.replace(/\{([A-Za-z0-9_.]+)\}/g, (whole, name: string) => {
    if (name.startsWith('response.')) {
      let value: unknown = response;
      for (const part of name.slice('response.'.length).split('.')) {
        value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
      }
      return typeof value === 'string' || typeof value === 'number' ? String(value) : whole;
    }
    return params[name] ?? whole;
  });
}

export interface AuditRequest {
  caller: Caller;
  route: string;
  /** Path parameters, those naming a person already replaced by their keyed hash. */
  params: Record<string, string>;
  status: number;
  response: unknown;
  ip?: string;
  userAgent?: string;
  at: Date;
}

/** The phrase of a change that succeeded (a route with an audit phrase, answered 2xx), if it was one. */
const changePhrase = (access: RouteAccess | undefined, status: number) =>
  status >= 200 && status < 300 ? access?.audit : undefined;

/**
 * Whether a request leaves an entry: every change, and every use of the break-glass admin
 * token, whatever it asked and however it ended. Reads by users leave none, and cost nothing.
 */
export const leavesEntry = (access: RouteAccess | undefined, caller: Caller, status: number): boolean =>
  changePhrase(access, status) !== undefined || caller.kind === 'admin-token';

/** The entry a request leaves, or none (`leavesEntry`). */
export function auditEntryFor(access: RouteAccess | undefined, request: AuditRequest): AuditEntry | undefined {
  if (!leavesEntry(access, request.caller, request.status)) return undefined;
  const phrase = changePhrase(access, request.status);
  const fill = (text: string) => fillPhrase(text, request.params, request.response);
  const path = request.route.replace(/\{(\w+)\}/g, (whole, name: string) => request.params[name] ?? whole);
  return {
    auditId: randomBytes(8).toString('hex'),
    at: request.at.toISOString(),
    actor: actorOf(request.caller),
    action: phrase ? phrase.action : 'admin-token.use',
    target: phrase ? fill(phrase.target) : (path.split(' ')[1] ?? path),
    summary: phrase ? fill(phrase.summary) : `used the admin token: ${path} answered ${request.status}`,
    route: request.route,
    status: request.status,
    ...(request.ip ? { ip: request.ip } : {}),
    ...(request.userAgent ? { userAgent: request.userAgent.slice(0, 300) } : {}),
  };
}
