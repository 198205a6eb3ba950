import type { Session, SessionStore } from './sessions.ts';

const clone = <T>(value: T): T => structuredClone(value);

/** In-memory sessions and sign-in attempts with the DynamoDB adapter's semantics, for unit tests. */
export function createMemorySessions(): SessionStore & { size(): number } {
  const sessions = new Map<string, Session>();
  const attempts = new Map<string, { failures: number; lockedUntil?: string; expiresAt: number }>();
  const seconds = (at: Date) => Math.floor(at.getTime() / 1000);
  return {
    async putSession(session) {
      if (sessions.has(session.sessionHash)) throw new Error('a session with this id exists');
      sessions.set(session.sessionHash, clone(session));
    },
    async getSession(sessionHash) {
      const session = sessions.get(sessionHash);
      return session && clone(session);
    },
    async deleteSession(sessionHash) {
      sessions.delete(sessionHash);
    },
    async countAttempt(key, now, forgetAfterSeconds) {
      const item = attempts.get(key);
      if (item && item.expiresAt > seconds(now) && item.lockedUntil && item.lockedUntil > now.toISOString()) {
        return { lockedUntil: item.lockedUntil };
      }
      const fresh = !item || item.expiresAt <= seconds(now);
      const failures = (fresh ? 0 : item.failures) + 1;
      attempts.set(key, { failures, expiresAt: seconds(now) + forgetAfterSeconds });
      return { attempts: failures };
    },
    async lockAttempts(key, until, forgetAfterSeconds) {
      attempts.set(key, {
        failures: 0,
        lockedUntil: until.toISOString(),
        expiresAt: seconds(until) + forgetAfterSeconds,
      });
    },
    async clearAttempts(key) {
      attempts.delete(key);
    },
    size: () => sessions.size,
  };
}
