import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { batchWrite, firstConditionFailed, strip, tableOps } from '#platform/dynamo-table.ts';
import { PeopleError } from './errors.ts';
import type { AuditEntry, PersonalToken, User } from './model.ts';
import type { PeopleStore } from './store.ts';

/**
 * People items in the single table (pk / sk):
 *   USERS             <userId>                 user        (role, status, password and invitation hashes)
 *   USEREMAIL         <email>                  user-email  (claims an email for one user)
 *   USER#<userId>     TOKEN#<tokenId>          user-token  (hashed secret)
 *   AUDIT             <at>#<auditId>           audit       (append-only: no code path updates or
 *                                                           deletes one, and on AWS IAM denies it)
 * The user list is small (tens), so one partition is fine; the audit log is one partition read
 * newest first, a few writes per minute at most.
 */
const USERS = 'USERS';
/** The audit log's partition; on AWS the functions' roles deny changing or deleting in it. */
export const AUDIT_PK = 'AUDIT';
const tokenKey = (userId: string, tokenId: string) => ({ pk: `USER#${userId}`, sk: `TOKEN#${tokenId}` });

const encodeCursor = (key: Record<string, unknown> | undefined) =>
  key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
const decodeCursor = (cursor: string | undefined): Record<string, unknown> | undefined => {
  if (!cursor) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (key.pk === AUDIT_PK && typeof key.sk === 'string') return { pk: key.pk, sk: key.sk };
  } catch {
    // refused below
  }
  throw new PeopleError('invalid_query', 'the cursor is not one this log returned');
};

export function createDynamoPeople(db: DynamoDBDocumentClient, tableName: string): PeopleStore {
  const { get, queryPrefix, conditional } = tableOps(db, tableName);
  return {
    async createUser(user) {
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: { pk: 'USEREMAIL', sk: user.email, type: 'user-email', userId: user.userId },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: { pk: USERS, sk: user.userId, type: 'user', ...user },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ],
          }),
        );
        return 'created';
      } catch (error) {
        if (firstConditionFailed(error)) return 'email_taken';
        throw error;
      }
    },
    getUser: (userId) => get<User>(USERS, userId),
    async getUserByEmail(email) {
      const claim = await get<{ userId: string }>('USEREMAIL', email);
      return claim ? get<User>(USERS, claim.userId) : undefined;
    },
    listUsers: () => queryPrefix<User>(USERS),
    putUser: (user, expectedUpdatedAt) =>
      conditional(() =>
        db.send(
          new PutCommand({
            TableName: tableName,
            Item: { pk: USERS, sk: user.userId, type: 'user', ...user },
            ConditionExpression:
              expectedUpdatedAt === undefined ? 'attribute_exists(pk)' : 'attribute_exists(pk) AND updatedAt = :read',
            ExpressionAttributeValues: expectedUpdatedAt === undefined ? undefined : { ':read': expectedUpdatedAt },
          }),
        ),
      ),
    async deleteUser(user) {
      const tokens = await queryPrefix<PersonalToken>(`USER#${user.userId}`);
      await batchWrite(db, tableName, [
        { DeleteRequest: { Key: { pk: USERS, sk: user.userId } } },
        { DeleteRequest: { Key: { pk: 'USEREMAIL', sk: user.email } } },
        ...tokens.map((t) => ({ DeleteRequest: { Key: tokenKey(t.userId, t.tokenId) } })),
      ]);
    },
    async createToken(token) {
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...tokenKey(token.userId, token.tokenId), type: 'user-token', ...token },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    },
    listTokens: (userId) => queryPrefix<PersonalToken>(`USER#${userId}`, 'TOKEN#'),
    async getUserAndToken(userId, tokenId) {
      const out = await db.send(
        new BatchGetCommand({
          RequestItems: { [tableName]: { Keys: [{ pk: USERS, sk: userId }, tokenKey(userId, tokenId)] } },
        }),
      );
      const items = out.Responses?.[tableName] ?? [];
      return {
        user: strip<User>(items.find((i) => i.type === 'user')),
        token: strip<PersonalToken>(items.find((i) => i.type === 'user-token')),
      };
    },
    revokeToken: (userId, tokenId, at) =>
      conditional(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: tokenKey(userId, tokenId),
            UpdateExpression: 'SET revokedAt = :at',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt)',
            ExpressionAttributeValues: { ':at': at },
          }),
        ),
      ),

    async appendAudit(entry) {
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: { pk: AUDIT_PK, sk: `${entry.at}#${entry.auditId}`, type: 'audit', ...entry },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    },
    async listAudit({ limit, cursor, actor, target }) {
      const filters: string[] = [];
      const values: Record<string, unknown> = { ':pk': AUDIT_PK };
      const names: Record<string, string> = {};
      if (actor) {
        filters.push('(#a.userId = :actor OR #a.email = :actor OR #a.tokenName = :actor OR #a.#k = :actor)');
        Object.assign(names, { '#a': 'actor', '#k': 'kind' });
        values[':actor'] = actor;
      }
      if (target) {
        filters.push('begins_with(#target, :target)');
        names['#target'] = 'target';
        values[':target'] = target;
      }
      const entries: AuditEntry[] = [];
      let startKey = decodeCursor(cursor);
      // A filter can leave a page short: read on until the page is full or the log ends.
      do {
        const out = await db.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk',
            FilterExpression: filters.length ? filters.join(' AND ') : undefined,
            ExpressionAttributeNames: filters.length ? names : undefined,
            ExpressionAttributeValues: values,
            ScanIndexForward: false,
            Limit: limit - entries.length,
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of out.Items ?? []) entries.push(strip<AuditEntry>(item) as AuditEntry);
        startKey = out.LastEvaluatedKey;
      } while (startKey && entries.length < limit);
      return { entries, cursor: encodeCursor(startKey) };
    },
  };
}
