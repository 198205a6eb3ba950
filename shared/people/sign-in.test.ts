import { describe, expect, it } from 'vitest';
import { createMemoryPeople } from './memory-people.ts';
import { createMemorySessions } from './memory-sessions.ts';
import type { User } from './model.ts';
import { hashPassword } from './passwords.ts';
import { acceptInvitation, checkInvitation, LOCK_MINUTES, MAX_FAILURES, signInWithPassword } from './sign-in.ts';
import { sha256 } from './tokens.ts';

const PASSWORD = 'a sturdy password 42';
/** Hashed once for the file: each hash takes scrypt's full cost, on purpose. */
const STORED = await hashPassword(PASSWORD);
const start = new Date('2026-03-02T09:00:00Z');
const minutes = (n: number) => new Date(start.getTime() + n * 60_000);

function user(over: Partial<User> = {}): User {
  return {
    userId: 'a1b2c3d4e5f6',
    email: 'ada@example.com',
    name: 'Ada',
    role: 'marketer',
    status: 'active',
    createdAt: start.toISOString(),
    createdBy: 'admin token',
    updatedAt: start.toISOString(),
    ...over,
  };
}

async function setup(over: Partial<User> = {}) {
  const people = createMemoryPeople();
  const sessions = createMemorySessions();
  await people.createUser(user({ passwordHash: STORED, ...over }));
  return { people, sessions, deps: { people, sessions } };
}

describe('signing in with a password', () => {
  it('signs in with the right password, whatever the email’s case, and notes when', async () => {
    const { people, deps } = await setup();
    const outcome = await signInWithPassword(deps, ' Ada@Example.com ', PASSWORD, start);
    expect(outcome).toMatchObject({ ok: true, user: { userId: 'a1b2c3d4e5f6', lastSignInAt: start.toISOString() } });
    expect((await people.getUser('a1b2c3d4e5f6'))?.lastSignInAt).toBe(start.toISOString());
  });

  it('gives one refusal for a wrong password, an unknown email and an invited user', async () => {
    const { people, deps } = await setup();
    await people.createUser(user({ userId: '0000000000aa', email: 'new@example.com', status: 'invited' }));
    expect(await signInWithPassword(deps, 'ada@example.com', 'not the password', start)).toEqual({
      ok: false,
      reason: 'refused',
    });
    expect(await signInWithPassword(deps, 'nobody@example.com', PASSWORD, start)).toEqual({
      ok: false,
      reason: 'refused',
    });
    expect(await signInWithPassword(deps, 'new@example.com', PASSWORD, start)).toEqual({
      ok: false,
      reason: 'refused',
    });
  });

  it(`locks the email for ${LOCK_MINUTES} minutes after ${MAX_FAILURES} failures in a row, the right password included`, async () => {
    const { people, deps } = await setup();
    for (let i = 1; i < MAX_FAILURES; i++) {
      expect(await signInWithPassword(deps, 'ada@example.com', `wrong ${i}`, minutes(i))).toMatchObject({
        reason: 'refused',
      });
    }
    const locked = await signInWithPassword(deps, 'ada@example.com', 'wrong again', minutes(5));
    expect(locked).toEqual({ ok: false, reason: 'locked', until: minutes(5 + LOCK_MINUTES) });
    expect((await people.getUser('a1b2c3d4e5f6'))?.lockedUntil).toBe(minutes(5 + LOCK_MINUTES).toISOString());
    // Locked, the right password does not open it either, and does not extend the lock.
    expect(await signInWithPassword(deps, 'ada@example.com', PASSWORD, minutes(19))).toEqual(locked);
    // Once the lock ends, the right password signs in and clears it.
    const after = await signInWithPassword(deps, 'ada@example.com', PASSWORD, minutes(20));
    expect(after).toMatchObject({ ok: true });
    const stored = await people.getUser('a1b2c3d4e5f6');
    expect(stored?.lockedUntil).toBeUndefined();
    expect(stored?.failedSignIns).toBeUndefined();
  });

  it('starts the count again after a success', async () => {
    const { deps } = await setup();
    for (let i = 1; i < MAX_FAILURES; i++) await signInWithPassword(deps, 'ada@example.com', 'wrong', minutes(i));
    expect(await signInWithPassword(deps, 'ada@example.com', PASSWORD, minutes(5))).toMatchObject({ ok: true });
    for (let i = 1; i < MAX_FAILURES; i++) {
      expect(await signInWithPassword(deps, 'ada@example.com', 'wrong', minutes(5 + i))).toMatchObject({
        reason: 'refused',
      });
    }
  });

  it('locks an unknown email exactly as a known one, so a lock tells nothing about accounts', async () => {
    const { deps } = await setup();
    let last: unknown;
    for (let i = 1; i <= MAX_FAILURES; i++) last = await signInWithPassword(deps, 'ghost@example.com', 'x', minutes(i));
    expect(last).toEqual({ ok: false, reason: 'locked', until: minutes(5 + LOCK_MINUTES) });
  });

  it('checks no more than the limit of guesses when they come all at once', async () => {
    const { deps } = await setup();
    const burst = await Promise.all(
      Array.from({ length: 12 }, (_, i) => signInWithPassword(deps, 'ada@example.com', `guess ${i}`, start)),
    );
    expect(burst.filter((o) => o.ok === false && o.reason === 'refused').length).toBeLessThanOrEqual(MAX_FAILURES - 1);
    expect(burst.filter((o) => o.ok === false && o.reason === 'locked').length).toBeGreaterThanOrEqual(
      12 - MAX_FAILURES,
    );
    // The right password, right after the burst, is locked out too.
    expect(await signInWithPassword(deps, 'ada@example.com', PASSWORD, minutes(1))).toMatchObject({ reason: 'locked' });
  });

  it('refuses a user whose password was reset (re-invited) while the old one was being checked', async () => {
    const { people, deps } = await setup();
    const racing = { ...deps, people: { ...people, getUser: async () => user({ status: 'invited' }) } };
    expect(await signInWithPassword(racing, 'ada@example.com', PASSWORD, start)).toEqual({
      ok: false,
      reason: 'refused',
    });
  });
});

describe('accepting an invitation', () => {
  const SECRET = 'S'.repeat(43);
  const token = `a1b2c3d4e5f6.${SECRET}`;
  const invited = {
    status: 'invited',
    invitationHash: sha256(SECRET),
    invitationExpiresAt: minutes(60).toISOString(),
  } as const;
  const clockAt = (at: Date) => ({ now: () => at });

  it('sets the password once, activates the user and forgets the invitation', async () => {
    const { people, sessions } = await setup({ ...invited, passwordHash: undefined });
    const active = await acceptInvitation({ people, clock: clockAt(minutes(1)) }, token, PASSWORD);
    expect(active).toMatchObject({ status: 'active', lastSignInAt: minutes(1).toISOString() });
    const stored = await people.getUser('a1b2c3d4e5f6');
    expect(stored?.invitationHash).toBeUndefined();
    expect(stored?.invitationExpiresAt).toBeUndefined();
    expect(await signInWithPassword({ people, sessions }, 'ada@example.com', PASSWORD, minutes(2))).toMatchObject({
      ok: true,
    });
    // The same link a second time is refused.
    await expect(
      acceptInvitation({ people, clock: clockAt(minutes(3)) }, token, 'another long password'),
    ).rejects.toMatchObject({
      code: 'invitation_invalid',
    });
  });

  it('refuses an expired link, a wrong secret and a malformed token, all alike', async () => {
    const { people } = await setup({ ...invited, passwordHash: undefined });
    for (const [at, given] of [
      [minutes(60), token],
      [minutes(1), `a1b2c3d4e5f6.${'T'.repeat(43)}`],
      [minutes(1), 'a1b2c3d4e5f6'],
      [minutes(1), `ffffffffffff.${SECRET}`],
    ] as const) {
      await expect(checkInvitation({ people, clock: clockAt(at) }, given)).rejects.toMatchObject({
        code: 'invitation_invalid',
      });
    }
  });

  it('refuses a short password and keeps the link valid', async () => {
    const { people } = await setup({ ...invited, passwordHash: undefined });
    const deps = { people, clock: clockAt(minutes(1)) };
    await expect(acceptInvitation(deps, token, 'too short')).rejects.toMatchObject({ code: 'invalid_password' });
    await expect(acceptInvitation(deps, token, 'ada@example.com')).rejects.toMatchObject({ code: 'invalid_password' });
    await expect(acceptInvitation(deps, token, PASSWORD)).resolves.toMatchObject({ status: 'active' });
  });
});
