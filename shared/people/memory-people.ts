import type { AuditEntry, PersonalToken, User } from './model.ts';
import type { PeopleStore } from './store.ts';

const clone = <T>(value: T): T => structuredClone(value);

/** In-memory PeopleStore with the DynamoDB adapter's semantics, for unit tests. */
export function createMemoryPeople(): PeopleStore {
  const users = new Map<string, User>();
  const emails = new Map<string, string>();
  const tokens = new Map<string, PersonalToken>();
  const audit: AuditEntry[] = [];
  const tokenKey = (userId: string, tokenId: string) => `${userId}/${tokenId}`;
  return {
    async createUser(user) {
      if (emails.has(user.email) || users.has(user.userId)) return 'email_taken';
      emails.set(user.email, user.userId);
      users.set(user.userId, clone(user));
      return 'created';
    },
    async getUser(userId) {
      const user = users.get(userId);
      return user && clone(user);
    },
    async getUserByEmail(email) {
      const id = emails.get(email);
      const user = id === undefined ? undefined : users.get(id);
      return user && clone(user);
    },
    async listUsers() {
      return [...users.values()].map(clone);
    },
    async putUser(user, expectedUpdatedAt) {
      const stored = users.get(user.userId);
      if (!stored || (expectedUpdatedAt !== undefined && stored.updatedAt !== expectedUpdatedAt)) return false;
      users.set(user.userId, clone(user));
      return true;
    },
    async deleteUser(user) {
      users.delete(user.userId);
      emails.delete(user.email);
      for (const [key, token] of tokens) if (token.userId === user.userId) tokens.delete(key);
    },
    async createToken(token) {
      tokens.set(tokenKey(token.userId, token.tokenId), clone(token));
    },
    async listTokens(userId) {
      return [...tokens.values()].filter((t) => t.userId === userId).map(clone);
    },
    async getUserAndToken(userId, tokenId) {
      const user = users.get(userId);
      const token = tokens.get(tokenKey(userId, tokenId));
      return { user: user && clone(user), token: token && clone(token) };
    },
    async revokeToken(userId, tokenId, at) {
      const token = tokens.get(tokenKey(userId, tokenId));
      if (!token || token.revokedAt) return false;
      token.revokedAt = at;
      return true;
    },
    async appendAudit(entry) {
      audit.push(clone(entry));
    },
    async listAudit({ limit, cursor, actor, target }) {
      const matches = audit
        .filter(
          (e) =>
            (!actor || [e.actor.userId, e.actor.email, e.actor.tokenName, e.actor.kind].includes(actor)) &&
            (!target || e.target.startsWith(target)),
        )
        .sort((a, b) => `${b.at}#${b.auditId}`.localeCompare(`${a.at}#${a.auditId}`));
      const start = cursor ? matches.findIndex((e) => `${e.at}#${e.auditId}` < cursor) : 0;
      const page = start < 0 ? [] : matches.slice(start, start + limit);
      const last = page.at(-1);
      const more = start >= 0 && start + limit < matches.length;
      return { entries: page.map(clone), cursor: more && last ? `${last.at}#${last.auditId}` : undefined };
    },
  };
}
