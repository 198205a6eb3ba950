import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '#core/clock.ts';
import type { Caller } from './model.ts';
import type { UserStore } from './store.ts';

/**
 * Dashboard sessions, kept server-side so they can be ended: the browser's cookie holds only a
 * random id, the table holds SHA-256 of it (a copy of the table opens no session). A session is
 * refused once it expires, once it is deleted (sign-out), once its user is gone, no longer
 * active or has `sessionsValidAfter` past its start (role change, "sign out everywhere"), and,
 * for the admin token's sessions, once the admin token is rotated.
 */

/** Eight hours: a working day, then sign in again. */
export const SESSION_TTL_SECONDS = 8 * 60 * 60;

/** Who a session belongs to. A user's role is read from the user at every request, never kept here. */
export type SessionSubject = { kind: 'user'; userId: string } | { kind: 'admin-token'; tokenFingerprint: string };

export interface Session {
  /** SHA-256 (hex) of the id in the cookie. */
  sessionHash: string;
  subject: SessionSubject;
  createdAt: string;
  /** Epoch seconds: the table's TTL attribute, and checked at every read (TTL deletes late). */
  expiresAt: number;
  ip?: string;
  userAgent?: string;
}

/** Sign-in attempts under one key (an email's hash) since the last success. */
export type AttemptCount = { attempts: number } | { lockedUntil: string };

export interface SessionStore {
  /** Writes a new session; ids are random, and the write refuses to replace one. */
  putSession(session: Session): Promise<void>;
  getSession(sessionHash: string): Promise<Session | undefined>;
  deleteSession(sessionHash: string): Promise<void>;
  /**
   * Counts one attempt under `key`, atomically (parallel attempts each count): the attempts in a
   * row including this one, or, while the key is locked, the lock's end (nothing counted).
   * A count untouched for `forgetAfterSeconds` starts again.
   */
  countAttempt(key: string, now: Date, forgetAfterSeconds: number): Promise<AttemptCount>;
  /** Locks `key` until `until`; its count starts again when the lock ends. */
  lockAttempts(key: string, until: Date, forgetAfterSeconds: number): Promise<void>;
  /** Forgets `key`'s attempts (a success). */
  clearAttempts(key: string): Promise<void>;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The shape of a session id in a cookie: 32 random bytes, base64url. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

export const sessionHashOf = (sessionId: string): string => sha256(sessionId);

/**
 * What an admin-token session remembers of the token: a hash under a purpose of its own, so a
 * rotated token ends its sessions and the table never holds anything the API would accept.
 */
export const adminTokenFingerprint = (token: string): string => sha256(`tend-dashboard-admin-session-v1\0${token}`);

/** Who a session signs in: a user or the admin token (never an API key). */
export type SessionCaller = Exclude<Caller, { kind: 'api-key' }>;

export interface SessionDeps {
  sessions: SessionStore;
  people: Pick<UserStore, 'getUser'>;
  clock: Clock;
}

/**
 * Starts a session with a new random id (never one the browser presented: no session fixation).
 * The id goes into the cookie; only its hash is stored.
 */
export async function openSession(
  deps: Pick<SessionDeps, 'sessions' | 'clock'>,
  subject: SessionSubject,
  from: { ip?: string; userAgent?: string } = {},
): Promise<{ sessionId: string; session: Session }> {
  const now = deps.clock.now();
  const sessionId = randomBytes(32).toString('base64url');
  const session: Session = {
    sessionHash: sessionHashOf(sessionId),
    subject,
    createdAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + SESSION_TTL_SECONDS,
    ...(from.ip ? { ip: from.ip } : {}),
    ...(from.userAgent ? { userAgent: from.userAgent.slice(0, 300) } : {}),
  };
  await deps.sessions.putSession(session);
  return { sessionId, session };
}

/**
 * The caller a cookie's session id stands for, or undefined when it stands for none (unknown,
 * expired, revoked, its user gone or inactive, or the admin token rotated). Reads the session
 * and, for a user, the user: their current role applies, never a stale one.
 */
export async function findSession(
  deps: SessionDeps,
  sessionId: string | undefined,
  currentAdminToken: () => Promise<string>,
): Promise<{ caller: SessionCaller; session: Session } | undefined> {
  if (!sessionId || !SESSION_ID.test(sessionId)) return undefined;
  const session = await deps.sessions.getSession(sessionHashOf(sessionId));
  const now = deps.clock.now();
  if (!session || session.expiresAt * 1000 <= now.getTime()) return undefined;
  const { subject } = session;
  if (subject.kind === 'admin-token') {
    const current = adminTokenFingerprint(await currentAdminToken());
    return subject.tokenFingerprint === current
      ? { caller: { kind: 'admin-token', role: 'admin' }, session }
      : undefined;
  }
  const user = await deps.people.getUser(subject.userId);
  if (user?.status !== 'active') return undefined;
  if (user.sessionsValidAfter && session.createdAt <= user.sessionsValidAfter) return undefined;
  return {
    caller: { kind: 'user', userId: user.userId, email: user.email, role: user.role, via: 'session' },
    session,
  };
}

/** Ends the session a cookie's id stands for, if any. */
export async function closeSession(deps: Pick<SessionDeps, 'sessions'>, sessionId: string | undefined): Promise<void> {
  if (sessionId && SESSION_ID.test(sessionId)) await deps.sessions.deleteSession(sessionHashOf(sessionId));
}
