import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { Clock } from '#core/clock.ts';
import { PeopleError } from './errors.ts';
import type { User } from './model.ts';
import { hashPassword, needsRehash, passwordSchema, verifyNothing, verifyPassword } from './passwords.ts';
import type { SessionStore } from './sessions.ts';
import type { UserStore } from './store.ts';
import { hashMatches } from './tokens.ts';

/**
 * Signing in with an email and a password, and setting the password from an invitation.
 *
 * Throttling: attempts are counted per email (its hash), known or not, before the password is
 * checked; after MAX_FAILURES failures in a row the email is locked for LOCK_MINUTES, and a
 * burst of parallel attempts past the limit is refused unchecked, so at most MAX_FAILURES
 * guesses are ever checked per lock period. Unknown emails count and lock exactly like known
 * ones, and take as long (a decoy hash is checked), so neither the answer nor its timing tells
 * whether an account exists.
 */

export const MAX_FAILURES = 5;
export const LOCK_MINUTES = 15;
/** Failures a day apart are not "in a row": a count untouched this long starts again. */
export const FORGET_AFTER_SECONDS = 24 * 60 * 60;

export interface SignInDeps {
  people: Pick<UserStore, 'getUser' | 'getUserByEmail' | 'putUser'>;
  sessions: Pick<SessionStore, 'countAttempt' | 'lockAttempts' | 'clearAttempts'>;
}

export type SignInOutcome =
  | { ok: true; user: User }
  /** Unknown email, no password yet, wrong password: one answer for all. */
  | { ok: false; reason: 'refused' }
  | { ok: false; reason: 'locked'; until: Date };

const attemptsKey = (email: string) => createHash('sha256').update(`tend-sign-in-v1\0${email}`).digest('hex');
const normalEmail = (email: string) => email.trim().toLowerCase();
/** Longer input is refused unchecked: no account has it, and hashing it would be work for nothing. */
const MAX_EMAIL = 320;
const MAX_PASSWORD = 1000;

/** The user record with what a sign-in changes (throttling fields cleared, the last sign-in noted). */
function signedIn(user: User, at: Date): User {
  const { failedSignIns: _f, lockedUntil: _l, ...rest } = user;
  return { ...rest, lastSignInAt: at.toISOString(), updatedAt: at.toISOString() };
}

/**
 * Writes what a sign-in changes on the user, read again first: the check above took a hash's
 * time, and an admin may have changed the role meanwhile (a put of the earlier read would undo it).
 */
async function noteSignIn(deps: SignInDeps, user: User, password: string, now: Date): Promise<User | undefined> {
  const fresh = await deps.people.getUser(user.userId);
  // The password was reset, or the user deleted or deactivated, while it was being checked.
  if (fresh?.status !== 'active' || fresh.passwordHash !== user.passwordHash) return undefined;
  const next = signedIn(fresh, now);
  if (fresh.passwordHash && needsRehash(fresh.passwordHash)) next.passwordHash = await hashPassword(password);
  // Only over the record just read: a change landing meanwhile wins, and this sign-in is refused.
  return (await deps.people.putUser(next, fresh.updatedAt)) ? next : undefined;
}

/** Shows the lock on the user (for `tend users` and the API), when the email is a user's. */
async function noteLock(deps: SignInDeps, userId: string, until: Date, now: Date): Promise<void> {
  const fresh = await deps.people.getUser(userId);
  // A change landing meanwhile wins: the lock itself is kept apart (sessions' attempts item).
  if (fresh) {
    const noted = {
      ...fresh,
      failedSignIns: MAX_FAILURES,
      lockedUntil: until.toISOString(),
      updatedAt: now.toISOString(),
    };
    await deps.people.putUser(noted, fresh.updatedAt);
  }
}

/** Checks an email and a password under the throttling above. */
export async function signInWithPassword(
  deps: SignInDeps,
  email: string,
  password: string,
  now: Date,
): Promise<SignInOutcome> {
  const address = normalEmail(email);
  if (address === '' || address.length > MAX_EMAIL || password === '' || password.length > MAX_PASSWORD) {
    return { ok: false, reason: 'refused' };
  }
  const key = attemptsKey(address);
  const counted = await deps.sessions.countAttempt(key, now, FORGET_AFTER_SECONDS);
  if ('lockedUntil' in counted) return { ok: false, reason: 'locked', until: new Date(counted.lockedUntil) };
  const lock = async (userId?: string): Promise<SignInOutcome> => {
    const until = new Date(now.getTime() + LOCK_MINUTES * 60_000);
    await deps.sessions.lockAttempts(key, until, FORGET_AFTER_SECONDS);
    if (userId) await noteLock(deps, userId, until, now);
    return { ok: false, reason: 'locked', until };
  };
  const user = await deps.people.getUserByEmail(address);
  // Parallel attempts past the limit: refused without checking, so a burst gains no guesses.
  if (counted.attempts > MAX_FAILURES) return lock(user?.userId);
  const hash = user?.status === 'active' ? user.passwordHash : undefined;
  const matches = hash ? await verifyPassword(password, hash) : await verifyNothing(password);
  if (matches && user) {
    const next = await noteSignIn(deps, user, password, now);
    if (next) {
      await deps.sessions.clearAttempts(key);
      return { ok: true, user: next };
    }
  }
  if (counted.attempts >= MAX_FAILURES) return lock(user?.userId);
  return { ok: false, reason: 'refused' };
}

/** The invitation link's token: `<userId>.<secret>` (tokens.ts, `newInvitation`). */
const invitationToken = z.string().regex(/^([0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/);

const invalidInvitation = () =>
  new PeopleError(
    'invitation_invalid',
    'This invitation link is not valid: it was used already, it expired, or a newer one replaced it. Ask an admin for a new one.',
  );

/**
 * The user an invitation link is for, while it is valid: unused (the user is still invited, the
 * hash is there), before it expires, and its secret the one whose hash is stored. Otherwise
 * `invitation_invalid`, one answer for every reason.
 */
export async function checkInvitation(
  deps: { people: Pick<UserStore, 'getUser'>; clock: Clock },
  token: string,
): Promise<User> {
  const parsed = invitationToken.safeParse(token);
  if (!parsed.success) throw invalidInvitation();
  const [userId, secret] = parsed.data.split('.') as [string, string];
  const user = await deps.people.getUser(userId);
  const now = deps.clock.now().toISOString();
  if (
    user?.status !== 'invited' ||
    !user.invitationHash ||
    !user.invitationExpiresAt ||
    user.invitationExpiresAt <= now ||
    !hashMatches(secret, user.invitationHash)
  ) {
    throw invalidInvitation();
  }
  return user;
}

/**
 * Sets the password of an invited user from their invitation link: the link works once (its hash
 * is removed and the user becomes active), and only before it expires. `invalid_password` when
 * the password breaks the rules (the link stays valid).
 */
export async function acceptInvitation(
  deps: { people: Pick<UserStore, 'getUser' | 'putUser'>; clock: Clock },
  token: string,
  password: string,
): Promise<User> {
  const user = await checkInvitation(deps, token);
  const rules = passwordSchema.safeParse(password);
  if (!rules.success) {
    throw new PeopleError('invalid_password', rules.error.issues.map((i) => i.message).join('; '));
  }
  if (normalEmail(password) === user.email) {
    throw new PeopleError('invalid_password', 'a password is not the email address');
  }
  const now = deps.clock.now();
  const { invitationHash: _h, invitationExpiresAt: _e, ...rest } = signedIn(user, now);
  const active: User = {
    ...rest,
    status: 'active',
    passwordHash: await hashPassword(password),
    updatedAt: now.toISOString(),
  };
  // Over the invited record only: of two acceptances at once, the second finds it changed.
  if (!(await deps.people.putUser(active, user.updatedAt))) throw invalidInvitation();
  return active;
}
