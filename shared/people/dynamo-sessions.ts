import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '#platform/dynamo-table.ts';
import type { Session, SessionStore } from './sessions.ts';

/**
 * Session and sign-in attempt items in the single table (pk / sk), both expiring by the table's
 * TTL (`expiresAt`, epoch seconds) and checked against the clock when read, since TTL deletes late:
 *   SESSION#<sha256 of the id>   SESSION    session            (subject, createdAt)
 *   SIGNIN#<sha256 of the email> ATTEMPTS   sign-in-attempts   (failures, lockedUntil)
 * Reads are consistent: a session is read on the request right after the sign-in that wrote it.
 */
const sessionKey = (sessionHash: string) => ({ pk: `SESSION#${sessionHash}`, sk: 'SESSION' });
const attemptsKey = (key: string) => ({ pk: `SIGNIN#${key}`, sk: 'ATTEMPTS' });
const seconds = (at: Date) => Math.floor(at.getTime() / 1000);

export function createDynamoSessions(db: DynamoDBDocumentClient, tableName: string): SessionStore {
  const getItem = async (Key: Record<string, string>) =>
    (await db.send(new GetCommand({ TableName: tableName, Key, ConsistentRead: true }))).Item;

  return {
    async putSession(session) {
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...sessionKey(session.sessionHash), type: 'session', ...session },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    },
    async getSession(sessionHash) {
      const item = await getItem(sessionKey(sessionHash));
      if (!item) return undefined;
      const { pk: _pk, sk: _sk, type: _type, ...session } = item;
      return session as Session;
    },
    async deleteSession(sessionHash) {
      await db.send(new DeleteCommand({ TableName: tableName, Key: sessionKey(sessionHash) }));
    },

    async countAttempt(key, now, forgetAfterSeconds) {
      const Key = attemptsKey(key);
      const values = { ':now': now.toISOString(), ':nowSec': seconds(now) };
      try {
        // Counted in the item itself (ADD), so parallel attempts each count, unless it is locked
        // now or forgotten (its TTL passed, not yet deleted): then it is read or started again below.
        const out = await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key,
            UpdateExpression: 'SET #type = :type, expiresAt = :ttl ADD failures :one',
            ConditionExpression:
              '(attribute_not_exists(lockedUntil) OR lockedUntil <= :now) AND (attribute_not_exists(expiresAt) OR expiresAt > :nowSec)',
            ExpressionAttributeNames: { '#type': 'type' },
            ExpressionAttributeValues: {
              ...values,
              ':type': 'sign-in-attempts',
              ':ttl': seconds(now) + forgetAfterSeconds,
              ':one': 1,
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return { attempts: Number(out.Attributes?.failures ?? 1) };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      const item = await getItem(Key);
      const live = typeof item?.expiresAt === 'number' && item.expiresAt > values[':nowSec'];
      if (live && typeof item.lockedUntil === 'string' && item.lockedUntil > values[':now']) {
        return { lockedUntil: item.lockedUntil };
      }
      // Forgotten: start again at one (a parallel attempt doing the same also counts one).
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...Key, type: 'sign-in-attempts', failures: 1, expiresAt: seconds(now) + forgetAfterSeconds },
        }),
      );
      return { attempts: 1 };
    },
    async lockAttempts(key, until, forgetAfterSeconds) {
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...attemptsKey(key),
            type: 'sign-in-attempts',
            failures: 0,
            lockedUntil: until.toISOString(),
            expiresAt: seconds(until) + forgetAfterSeconds,
          },
        }),
      );
    },
    async clearAttempts(key) {
      await db.send(new DeleteCommand({ TableName: tableName, Key: attemptsKey(key) }));
    },
  };
}
