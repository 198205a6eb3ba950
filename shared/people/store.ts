import type { AuditEntry, PersonalToken, User } from './model.ts';

/** Users, their email claims and their tokens. */
export interface UserStore {
  /** Writes the user and claims its email together; `email_taken` when the email is claimed. */
  createUser(user: User): Promise<'created' | 'email_taken'>;
  getUser(userId: string): Promise<User | undefined>;
  getUserByEmail(email: string): Promise<User | undefined>;
  listUsers(): Promise<User[]>;
  /**
   * Replaces a user (same id and email); false when it no longer exists or, with
   * `expectedUpdatedAt`, when it changed since it was read (every write sets `updatedAt`).
   */
  putUser(user: User, expectedUpdatedAt?: string): Promise<boolean>;
  /** Deletes the user, its email claim and its tokens. */
  deleteUser(user: User): Promise<void>;
  createToken(token: PersonalToken): Promise<void>;
  listTokens(userId: string): Promise<PersonalToken[]>;
  /** The user and one of its tokens, in one read (what every token-authenticated request costs). */
  getUserAndToken(userId: string, tokenId: string): Promise<{ user?: User; token?: PersonalToken }>;
  revokeToken(userId: string, tokenId: string, at: string): Promise<boolean>;
}

/** The audit log: appended to, never changed. */
export interface AuditStore {
  appendAudit(entry: AuditEntry): Promise<void>;
  /** Newest first; `cursor` continues where the last page ended. */
  listAudit(query: {
    limit: number;
    cursor?: string;
    actor?: string;
    target?: string;
  }): Promise<{ entries: AuditEntry[]; cursor?: string }>;
}

export interface PeopleStore extends UserStore, AuditStore {}
