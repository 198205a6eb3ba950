import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Session, SessionStore } from './sessions.ts';

/**
 * What every SessionStore does, run against the memory adapter (sessions.test.ts) and DynamoDB
 * Local (test/e2e/dashboard-sessions.test.ts). Keys are unique per test, so one table serves all.
 */
export function sessionStoreContract(name: string, make: () => SessionStore) {
  const now = new Date('2026-03-02T09:00:00Z');
  const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);
  const unique = () => randomUUID().replaceAll('-', '');
  const session = (over: Partial<Session> = {}): Session => ({
    sessionHash: unique(),
    subject: { kind: 'user', userId: 'a1b2c3d4e5f6' },
    createdAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + 3600,
    ip: '203.0.113.7',
    ...over,
  });

  describe(`session store (${name})`, () => {
    it('keeps a session until it is deleted', async () => {
      const store = make();
      const kept = session();
      await store.putSession(kept);
      expect(await store.getSession(kept.sessionHash)).toEqual(kept);
      await store.deleteSession(kept.sessionHash);
      expect(await store.getSession(kept.sessionHash)).toBeUndefined();
    });

    it('never replaces a session with another under the same id', async () => {
      const store = make();
      const first = session();
      await store.putSession(first);
      await expect(
        store.putSession({ ...first, subject: { kind: 'admin-token', tokenFingerprint: 'x' } }),
      ).rejects.toThrow();
      expect((await store.getSession(first.sessionHash))?.subject).toEqual(first.subject);
    });

    it('counts attempts in a row, each of many parallel ones once', async () => {
      const store = make();
      const key = unique();
      const counts = await Promise.all(Array.from({ length: 8 }, () => store.countAttempt(key, now, 3600)));
      const seen = counts.map((c) => ('attempts' in c ? c.attempts : -1)).sort((a, b) => a - b);
      expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      await store.clearAttempts(key);
      expect(await store.countAttempt(key, at(1), 3600)).toEqual({ attempts: 1 });
    });

    it('refuses to count while locked, and counts from one when the lock ends', async () => {
      const store = make();
      const key = unique();
      await store.countAttempt(key, now, 3600);
      await store.lockAttempts(key, at(900), 3600);
      expect(await store.countAttempt(key, at(899), 3600)).toEqual({ lockedUntil: at(900).toISOString() });
      expect(await store.countAttempt(key, at(900), 3600)).toEqual({ attempts: 1 });
      expect(await store.countAttempt(key, at(901), 3600)).toEqual({ attempts: 2 });
    });

    it('forgets a count left alone longer than asked, even before the TTL deletes it', async () => {
      const store = make();
      const key = unique();
      await store.countAttempt(key, now, 60);
      await store.countAttempt(key, at(30), 60);
      expect(await store.countAttempt(key, at(89), 60)).toEqual({ attempts: 3 });
      expect(await store.countAttempt(key, at(150), 60)).toEqual({ attempts: 1 });
    });
  });
}
