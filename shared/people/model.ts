import type { Role } from './roles.ts';

/** A person who signs in to Tend. Stored; `passwordHash` and the invitation's hash never leave the store. */
export interface User {
  userId: string;
  /** Lower-cased; unique. */
  email: string;
  name: string;
  role: Role;
  status: 'invited' | 'active';
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  /** scrypt, in the format of `passwords.ts`; absent until the invitation is accepted. */
  passwordHash?: string;
  /** SHA-256 of the invitation's secret, until it is used or expires. */
  invitationHash?: string;
  invitationExpiresAt?: string;
  /** Sign-in throttling: failures in a row, and until when sign-in is refused. */
  failedSignIns?: number;
  lockedUntil?: string;
  /** Sessions issued before this instant are refused (sign out everywhere, role change). */
  sessionsValidAfter?: string;
  lastSignInAt?: string;
}

/** A user's personal API token; only SHA-256 of its secret is kept. */
export interface PersonalToken {
  userId: string;
  tokenId: string;
  name: string;
  hash: string;
  createdAt: string;
  revokedAt?: string;
}

/** Who made a request: the break-glass admin token, or a user (by token or dashboard session). */
export type Caller =
  | { kind: 'admin-token'; role: 'admin' }
  | { kind: 'user'; userId: string; email: string; role: Role; via: 'token' | 'session'; tokenName?: string }
  /** An API key on the routes that accept one: its scope, not a role, is what allows the call. */
  | { kind: 'api-key'; keyId: string; role?: undefined };

/** One line of the audit log. Append-only: nothing updates or deletes one. */
export interface AuditEntry {
  auditId: string;
  at: string;
  actor: {
    kind: Caller['kind'];
    role?: Role;
    userId?: string;
    email?: string;
    tokenName?: string;
    via?: string;
    keyId?: string;
  };
  /** Stable name of what was done (`journey.publish`, `admin-token.use`, ...). */
  action: string;
  /** What it was done to (`journey:onboarding`, `user:…`, `privacy-request:…`). */
  target: string;
  /** The change in words. */
  summary: string;
  /** The route and its answer's status. */
  route: string;
  status: number;
  ip?: string;
  userAgent?: string;
}

/** A caller's name in words: for drafts' `savedBy`, versions' `publishedBy`, the audit log. */
export function callerName(caller: Caller): string {
  if (caller.kind === 'admin-token') return 'admin token';
  if (caller.kind === 'api-key') return `API key ${caller.keyId}`;
  return caller.tokenName ? `${caller.email} (token "${caller.tokenName}")` : caller.email;
}
