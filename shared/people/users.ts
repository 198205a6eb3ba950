import * as z from 'zod';
import type { Clock } from '#core/clock.ts';
import { emailSchema } from '#core/email-address.ts';
import { parseOrRefuse } from '#core/parse.ts';
import { PeopleError } from './errors.ts';
import { type Caller, callerName, type PersonalToken, type User } from './model.ts';
import { ROLES } from './roles.ts';
import type { UserStore } from './store.ts';
import { newInvitation, newPersonalToken, newUserId } from './tokens.ts';

/** Users and their personal tokens: invite, list, change, delete; tokens shown once. */

/** An invitation link is valid this long. */
export const INVITATION_TTL_HOURS = 72;

const nameSchema = z.string().trim().min(1).max(200);
export const createUserSchema = z.object({ email: emailSchema, name: nameSchema, role: z.enum(ROLES) }).strict();
export const updateUserSchema = z
  .object({
    name: nameSchema.optional(),
    role: z.enum(ROLES).optional(),
    /** Signs the user out of every dashboard session. */
    revokeSessions: z.literal(true).optional(),
    /** A new invitation link (a forgotten password): the old password stops working. */
    reinvite: z.literal(true).optional(),
  })
  .strict();
export const createTokenSchema = z.object({ name: z.string().trim().min(1).max(100) }).strict();

interface Deps {
  people: UserStore;
  clock: Clock;
  /** The public base URL, for the invitation link. */
  publicUrl: string;
}

/** What the API shows of a user: never a hash. */
export function userSummary(user: User) {
  const { passwordHash: _p, invitationHash: _i, failedSignIns: _f, ...rest } = user;
  return rest;
}

export function tokenSummary(token: PersonalToken) {
  const { hash: _hash, ...rest } = token;
  return rest;
}

async function requireUser(people: UserStore, userId: string): Promise<User> {
  const user = await people.getUser(userId);
  if (!user) throw new PeopleError('user_not_found', `no user "${userId}"`);
  return user;
}

const invitation = (deps: Deps, user: User) => {
  const { token, hash } = newInvitation(user.userId);
  const expiresAt = new Date(deps.clock.now().getTime() + INVITATION_TTL_HOURS * 3_600_000).toISOString();
  const url = `${deps.publicUrl.replace(/\/$/, '')}/dashboard/invitation?token=${encodeURIComponent(token)}`;
  return { hash, expiresAt, url };
};

export async function createUser(deps: Deps, body: unknown, caller: Caller) {
  const input = parseOrRefuse(createUserSchema, body, 'the user');
  const now = deps.clock.now().toISOString();
  const userId = newUserId();
  const base: User = {
    userId,
    email: input.email.toLowerCase(),
    name: input.name,
    role: input.role,
    status: 'invited',
    createdAt: now,
    createdBy: callerName(caller),
    updatedAt: now,
  };
  const invite = invitation(deps, base);
  const user: User = { ...base, invitationHash: invite.hash, invitationExpiresAt: invite.expiresAt };
  if ((await deps.people.createUser(user)) === 'email_taken') {
    throw new PeopleError('email_taken', `a user with the email "${user.email}" exists`);
  }
  return { user: userSummary(user), invitation: { url: invite.url, expiresAt: invite.expiresAt } };
}

export async function getUser(deps: Pick<Deps, 'people'>, userId: string) {
  return { user: userSummary(await requireUser(deps.people, userId)) };
}

export async function listUsers(deps: Pick<Deps, 'people'>) {
  const users = await deps.people.listUsers();
  return { users: users.sort((a, b) => a.email.localeCompare(b.email)).map(userSummary) };
}

/** Refuses to leave the workspace without an active admin (the admin token aside). */
async function keepAnAdmin(people: UserStore, user: User, becomes: User['role'] | 'deleted') {
  if (user.role !== 'admin' || becomes === 'admin' || user.status !== 'active') return;
  const admins = (await people.listUsers()).filter((u) => u.role === 'admin' && u.status === 'active');
  if (admins.length <= 1) {
    throw new PeopleError('last_admin', `${user.email} is the last active admin: make another admin first`);
  }
}

export async function updateUser(deps: Deps, userId: string, body: unknown) {
  const input = parseOrRefuse(updateUserSchema, body, 'the change');
  const user = await requireUser(deps.people, userId);
  const now = deps.clock.now().toISOString();
  const changes: string[] = [];
  const next: User = { ...user, updatedAt: now };
  if (input.name !== undefined && input.name !== user.name) {
    next.name = input.name;
    changes.push(`name "${user.name}" → "${input.name}"`);
  }
  if (input.role !== undefined && input.role !== user.role) {
    await keepAnAdmin(deps.people, user, input.role);
    next.role = input.role;
    // A session carries the role it was issued with: end them so the new role applies now.
    next.sessionsValidAfter = now;
    changes.push(`role ${user.role} → ${input.role}`);
  }
  if (input.revokeSessions) {
    next.sessionsValidAfter = now;
    changes.push('signed out of every session');
  }
  let link: { url: string; expiresAt: string } | undefined;
  if (input.reinvite) {
    const invite = invitation(deps, user);
    Object.assign(next, { invitationHash: invite.hash, invitationExpiresAt: invite.expiresAt, status: 'invited' });
    delete next.passwordHash;
    next.sessionsValidAfter = now;
    link = { url: invite.url, expiresAt: invite.expiresAt };
    changes.push('sent a new invitation (the password was reset)');
  }
  if (!(await deps.people.putUser(next, user.updatedAt))) {
    throw new PeopleError(
      'user_changed',
      `user "${userId}" changed meanwhile (a sign-in or another change): try again`,
    );
  }
  if (input.reinvite) {
    // A reset is what an admin does for a lost or stolen account: the person's tokens go too.
    const active = (await deps.people.listTokens(userId)).filter((t) => !t.revokedAt);
    for (const t of active) await deps.people.revokeToken(userId, t.tokenId, now);
    if (active.length > 0) changes.push(`revoked ${active.length} personal token${active.length === 1 ? '' : 's'}`);
  }
  return {
    user: userSummary(next),
    changes: changes.join('; ') || 'nothing changed',
    ...(link ? { invitation: link } : {}),
  };
}

export async function deleteUser(deps: Pick<Deps, 'people'>, userId: string) {
  const user = await requireUser(deps.people, userId);
  await keepAnAdmin(deps.people, user, 'deleted');
  await deps.people.deleteUser(user);
  return { deleted: userId };
}

export async function createToken(deps: Deps, userId: string, body: unknown) {
  const input = parseOrRefuse(createTokenSchema, body, 'the token');
  await requireUser(deps.people, userId);
  const { tokenId, token, hash } = newPersonalToken(userId);
  const record: PersonalToken = { userId, tokenId, name: input.name, hash, createdAt: deps.clock.now().toISOString() };
  await deps.people.createToken(record);
  // The token itself is shown here once; only its hash is kept.
  return { ...tokenSummary(record), token };
}

export async function listTokens(deps: Pick<Deps, 'people'>, userId: string) {
  await requireUser(deps.people, userId);
  return { tokens: (await deps.people.listTokens(userId)).map(tokenSummary) };
}

export async function revokeToken(deps: Pick<Deps, 'people' | 'clock'>, userId: string, tokenId: string) {
  if (!(await deps.people.revokeToken(userId, tokenId, deps.clock.now().toISOString()))) {
    throw new PeopleError('token_not_found', `user "${userId}" has no active token "${tokenId}"`);
  }
  return { revoked: tokenId };
}
