import { describe, expect, it } from 'vitest';
import { createMemoryPeople } from './memory-people.ts';
import { createMemorySessions } from './memory-sessions.ts';
import type { User } from './model.ts';
import { sessionStoreContract } from './sessions.contract.ts';
import { adminTokenFingerprint, closeSession, findSession, openSession, SESSION_TTL_SECONDS } from './sessions.ts';

sessionStoreContract('memory', createMemorySessions);

const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';
const start = new Date('2026-03-02T09:00:00Z');

function setup() {
  let now = start;
  const clock = { now: () => now };
  const people = createMemoryPeople();
  const sessions = createMemorySessions();
  const user: User = {
    userId: 'a1b2c3d4e5f6',
    email: 'ada@example.com',
    name: 'Ada',
    role: 'analyst',
    status: 'active',
    createdAt: start.toISOString(),
    createdBy: 'admin token',
    updatedAt: start.toISOString(),
  };
  const deps = { people, sessions, clock };
  return {
    deps,
    people,
    sessions,
    user,
    advance: (seconds: number) => {
      now = new Date(now.getTime() + seconds * 1000);
    },
    find: (id: string | undefined, token = ADMIN_TOKEN) => findSession(deps, id, async () => token),
  };
}

describe('dashboard sessions', () => {
  it('gives every sign-in a new random id and keeps only its hash', async () => {
    const { deps, people, user, sessions, find } = setup();
    await people.createUser(user);
    const a = await openSession(deps, { kind: 'user', userId: user.userId });
    const b = await openSession(deps, { kind: 'user', userId: user.userId });
    expect(a.sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.sessionId).not.toBe(b.sessionId);
    expect(await sessions.getSession(a.sessionId)).toBeUndefined();
    expect((await find(a.sessionId))?.caller).toEqual({
      kind: 'user',
      userId: user.userId,
      email: user.email,
      role: 'analyst',
      via: 'session',
    });
  });

  it('refuses an id it never issued, in any shape', async () => {
    const { find } = setup();
    for (const id of [undefined, '', 'x', 'A'.repeat(43), `${'A'.repeat(43)}.forged`]) {
      expect(await find(id)).toBeUndefined();
    }
  });

  it(`ends a session ${SESSION_TTL_SECONDS / 3600} hours after it began`, async () => {
    const { deps, people, user, find, advance } = setup();
    await people.createUser(user);
    const { sessionId } = await openSession(deps, { kind: 'user', userId: user.userId });
    advance(SESSION_TTL_SECONDS - 1);
    expect(await find(sessionId)).toBeDefined();
    advance(1);
    expect(await find(sessionId)).toBeUndefined();
  });

  it('ends a session at sign-out', async () => {
    const { deps, people, user, find } = setup();
    await people.createUser(user);
    const { sessionId } = await openSession(deps, { kind: 'user', userId: user.userId });
    await closeSession(deps, sessionId);
    expect(await find(sessionId)).toBeUndefined();
  });

  it('ends every session of a user whose sessions were revoked, and lets a later sign-in in', async () => {
    const { deps, people, user, find, advance } = setup();
    await people.createUser(user);
    const before = await openSession(deps, { kind: 'user', userId: user.userId });
    advance(60);
    await people.putUser({ ...user, sessionsValidAfter: deps.clock.now().toISOString() });
    expect(await find(before.sessionId)).toBeUndefined();
    advance(1);
    const after = await openSession(deps, { kind: 'user', userId: user.userId });
    expect(await find(after.sessionId)).toBeDefined();
  });

  it('applies the user’s current role and refuses a deleted or re-invited user', async () => {
    const { deps, people, user, find } = setup();
    await people.createUser(user);
    const { sessionId } = await openSession(deps, { kind: 'user', userId: user.userId });
    await people.putUser({ ...user, role: 'admin' });
    expect((await find(sessionId))?.caller.role).toBe('admin');
    await people.putUser({ ...user, status: 'invited' });
    expect(await find(sessionId)).toBeUndefined();
    await people.putUser(user);
    await people.deleteUser(user);
    expect(await find(sessionId)).toBeUndefined();
  });

  it('ends the admin token’s sessions when the token is rotated', async () => {
    const { deps, find } = setup();
    const subject = { kind: 'admin-token', tokenFingerprint: adminTokenFingerprint(ADMIN_TOKEN) } as const;
    const { sessionId, session } = await openSession(deps, subject);
    expect(session.subject).not.toMatchObject({ tokenFingerprint: expect.stringContaining(ADMIN_TOKEN) });
    expect((await find(sessionId))?.caller).toEqual({ kind: 'admin-token', role: 'admin' });
    expect(await find(sessionId, 'a-rotated-admin-token-0123456789')).toBeUndefined();
  });
});
