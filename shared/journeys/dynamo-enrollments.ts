import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Enrollment } from '#core/contact.ts';
import { batchWrite, contactPk, eventItem, strip, type TimelineRetention, tableOps } from '#platform/dynamo-table.ts';
import type { EnrollmentCheck } from './model.ts';
import { type EnrollmentStore, type EnrollOutcome, firstCheckOf } from './store.ts';

const CHECKS = 'ENROLLMENT-CHECKS';
const checkSk = (c: EnrollmentCheck) => `${c.at}#${c.contactId}#${c.enrollmentId}`;
const checkItem = (c: EnrollmentCheck) => ({ pk: CHECKS, sk: checkSk(c), type: 'enrollment-check', ...c });
const enrollmentKey = (contactId: string, enrollmentId: string) => ({
  pk: contactPk(contactId),
  sk: `ENROLLMENT#${enrollmentId}`,
});
const stateKey = (contactId: string, journeyId: string) => ({ pk: contactPk(contactId), sk: `JSTATE#${journeyId}` });

/**
 * Enrollments on DynamoDB, with each contact's state per journey (the active one, entries) and
 * the repair sweep's queue of checks.
 */
export function createDynamoEnrollments(
  db: DynamoDBDocumentClient,
  tableName: string,
  retention: TimelineRetention = {},
): EnrollmentStore {
  const { conditional, get, put, queryItems } = tableOps(db, tableName);

  return {
    async enroll(enrollment, rules) {
      // Optimistic: read the contact's state for this journey, decide, then write the enrollment
      // and the new state in one transaction conditional on the state not having moved.
      const readEnrollment = () =>
        get<Enrollment>(contactPk(enrollment.contactId), `ENROLLMENT#${enrollment.enrollmentId}`);
      for (let attempt = 0; attempt < 5; attempt++) {
        // A contact created a moment ago has no state yet: write at once (conditional on that);
        // if it has one after all, the next round reads it.
        const assumeNew = attempt === 0 && rules.firstEntry === true;
        // The state and this enrollment, read together (one BatchGetItem).
        const [read, existing] = assumeNew
          ? [undefined, undefined]
          : await Promise.all([
              get<{ active?: string; entries?: number; lastEnteredAt?: string; rev?: number }>(
                contactPk(enrollment.contactId),
                `JSTATE#${enrollment.journeyId}`,
              ),
              readEnrollment(),
            ]);
        if (existing) return { outcome: 'exists', enrollment: existing };
        const state = read ?? { entries: 0, rev: 0 };
        const entries = state.entries ?? 0;
        const refusal: Extract<EnrollOutcome, { outcome: 'refused' }>['reason'] | undefined = state.active
          ? 'active'
          : rules.reentry.mode === 'never' && entries > 0
            ? 'entered-before'
            : rules.reentry.mode === 'after-cool-off' &&
                state.lastEnteredAt &&
                Date.parse(enrollment.enteredAt) - Date.parse(state.lastEnteredAt) < (rules.coolOffMs ?? 0)
              ? 'cooling-off'
              : rules.maxEntries !== undefined && entries >= rules.maxEntries
                ? 'max-entries'
                : undefined;
        if (refusal) {
          // The state may count this very enrollment (the same trigger, delivered twice at once,
          // landing between the two reads): then it is a replay, not a refusal.
          const landed = await readEnrollment();
          return landed ? { outcome: 'exists', enrollment: landed } : { outcome: 'refused', reason: refusal };
        }
        const rev = state.rev ?? 0;
        try {
          await db.send(
            new TransactWriteCommand({
              TransactItems: [
                // The first look of the repair sweep rides on this write: no request of its own.
                ...(enrollment.status === 'active'
                  ? [{ Put: { TableName: tableName, Item: checkItem(firstCheckOf(enrollment)) } }]
                  : []),
                {
                  Put: {
                    TableName: tableName,
                    Item: {
                      ...enrollmentKey(enrollment.contactId, enrollment.enrollmentId),
                      type: 'enrollment',
                      waiterKeys: 'enrollment',
                      ...enrollment,
                    },
                    ConditionExpression: 'attribute_not_exists(pk)',
                  },
                },
                {
                  Put: {
                    TableName: tableName,
                    Item: {
                      ...stateKey(enrollment.contactId, enrollment.journeyId),
                      type: 'journey-state',
                      journeyId: enrollment.journeyId,
                      entries: entries + 1,
                      lastEnteredAt: enrollment.enteredAt,
                      rev: rev + 1,
                      ...(enrollment.status === 'active' ? { active: enrollment.enrollmentId } : {}),
                    },
                    ConditionExpression: rev === 0 ? 'attribute_not_exists(pk)' : 'rev = :rev',
                    ExpressionAttributeValues: rev === 0 ? undefined : { ':rev': rev },
                  },
                },
                ...(rules.entered
                  ? [{ Put: { TableName: tableName, Item: eventItem(rules.entered, retention) } }]
                  : []),
              ],
            }),
          );
          return { outcome: 'created' };
        } catch (error) {
          if (!(error instanceof TransactionCanceledException)) throw error;
          // Either the same enrollment landed meanwhile (next round returns it) or another
          // enrollment moved the state (next round decides again).
        }
      }
      throw new Error(`could not enroll ${enrollment.contactId} in ${enrollment.journeyId}: state kept changing`);
    },
    getEnrollment: (contactId, enrollmentId) => get<Enrollment>(contactPk(contactId), `ENROLLMENT#${enrollmentId}`),
    async setExecutionArn(contactId, enrollmentId, executionArn) {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: enrollmentKey(contactId, enrollmentId),
          UpdateExpression: 'SET executionArn = :arn',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':arn': executionArn },
        }),
      );
    },
    async endEnrollment(contactId, enrollmentId, status, at, detail) {
      const found = await get<Enrollment>(contactPk(contactId), `ENROLLMENT#${enrollmentId}`);
      if (found?.status !== 'active') return false;
      const sets = ['#s = :s', 'endedAt = :at'];
      const values: Record<string, unknown> = { ':s': status, ':at': at, ':active': 'active' };
      if (detail?.reason) {
        sets.push('exitReason = :r');
        values[':r'] = detail.reason;
      }
      if (detail?.nodeId) {
        sets.push('exitNodeId = :n');
        values[':n'] = detail.nodeId;
      }
      const endIt = {
        Update: {
          TableName: tableName,
          Key: enrollmentKey(contactId, enrollmentId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: '#s = :active',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: values,
        },
      };
      const freeSlot = {
        Update: {
          TableName: tableName,
          Key: stateKey(contactId, found.journeyId),
          UpdateExpression: 'REMOVE active SET rev = if_not_exists(rev, :zero) + :one',
          ConditionExpression: 'active = :id',
          ExpressionAttributeValues: { ':id': enrollmentId, ':zero': 0, ':one': 1 },
        },
      };
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          // Ending and freeing the slot happen together, so a crash cannot leave the slot taken.
          await db.send(new TransactWriteCommand({ TransactItems: [endIt, freeSlot] }));
          return true;
        } catch (error) {
          if (!(error instanceof TransactionCanceledException)) throw error;
          const [ending, slot] = error.CancellationReasons ?? [];
          if (ending?.Code === 'ConditionalCheckFailed') return false;
          // The slot is not this enrollment's: end the enrollment alone.
          if (slot?.Code === 'ConditionalCheckFailed')
            return conditional(() => db.send(new UpdateCommand(endIt.Update)));
          // Cancelled by a concurrent transaction (TransactionConflict): ending alone here would
          // leave the slot taken for good, so try both again.
        }
      }
      throw new Error(`could not end ${enrollmentId} of ${contactId}: its items kept changing`);
    },
    async markConverted(contactId, enrollmentId, conversion, converted) {
      const update = {
        TableName: tableName,
        Key: enrollmentKey(contactId, enrollmentId),
        UpdateExpression: 'SET conversion = :c',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(conversion)',
        ExpressionAttributeValues: { ':c': conversion },
      };
      if (!converted) return conditional(() => db.send(new UpdateCommand(update)));
      // The conversion and its timeline event in one transaction: neither without the other.
      return conditional(() =>
        db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Update: update },
              { Put: { TableName: tableName, Item: eventItem(converted, retention) } },
            ],
          }),
        ),
      );
    },
    async listEnrollments(contactId) {
      const items = await queryItems('pk = :pk AND begins_with(sk, :prefix)', {
        ':pk': contactPk(contactId),
        ':prefix': 'ENROLLMENT#',
      });
      return items.filter((item) => item.type === 'enrollment').map((item) => strip<Enrollment>(item) as Enrollment);
    },
    async listEnrollmentChecks(before, limit) {
      const out = await db.send(
        new QueryCommand({
          TableName: tableName,
          // `~` sorts after every character of the ids that follow `at`.
          KeyConditionExpression: 'pk = :pk AND sk <= :last',
          ExpressionAttributeValues: { ':pk': CHECKS, ':last': `${before}#~` },
          Limit: limit,
        }),
      );
      return (out.Items ?? []).map((item) => strip<EnrollmentCheck>(item) as EnrollmentCheck);
    },
    async putEnrollmentCheck(check) {
      await put(checkItem(check));
    },
    async deleteEnrollmentCheck(check) {
      await db.send(new DeleteCommand({ TableName: tableName, Key: { pk: CHECKS, sk: checkSk(check) } }));
    },
    async moveEnrollmentCheck(done, next) {
      if (checkSk(done) === checkSk(next)) return put(checkItem(next)).then(() => undefined);
      await batchWrite(db, tableName, [
        { PutRequest: { Item: checkItem(next) } },
        { DeleteRequest: { Key: { pk: CHECKS, sk: checkSk(done) } } },
      ]);
    },
  };
}
