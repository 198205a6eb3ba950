import { DeleteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Enrollment } from '#core/contact.ts';
import { contactPk, strip, tableOps } from '#platform/dynamo-table.ts';
import type { EventWaiter } from './model.ts';
import type { WaiterStore } from './store.ts';

/** A waiter is kept with its enrollment, so one query of a contact's enrollments finds its waits too. */
const waiterSk = (w: Pick<EventWaiter, 'event' | 'enrollmentId' | 'nodeId' | 'legacyKey'>) =>
  w.legacyKey
    ? `WAITER#${w.event}#${w.enrollmentId}#${w.nodeId}`
    : `ENROLLMENT#${w.enrollmentId}#WAITER#${w.event}#${w.nodeId}`;
// Read whole: `strip` would drop `expiresAt`, which is both the TTL and part of the waiter.
const waiterOf = ({ pk: _pk, sk: _sk, type: _type, ...waiter }: Record<string, unknown>) =>
  waiter as unknown as EventWaiter;

/** Wait-for-event registrations on DynamoDB, in their contact's partition. */
export function createDynamoWaiters(db: DynamoDBDocumentClient, tableName: string): WaiterStore {
  const { conditional, put, queryItems } = tableOps(db, tableName);
  /** Waiters registered in the earlier form (under WAITER#), marked so they are deleted by that key. */
  const legacyWaiters = async (contactId: string, event: string) =>
    (
      await queryItems('pk = :pk AND begins_with(sk, :prefix)', {
        ':pk': contactPk(contactId),
        ':prefix': `WAITER#${event}#`,
      })
    )
      .map((item) => ({ ...waiterOf(item), legacyKey: true as const }))
      // The prefix of `a` also matches an event named `a#b`.
      .filter((w) => w.event === event);
  const waiters: WaiterStore = {
    async putWaiter(w) {
      const { legacyKey: _legacy, ...waiter } = w;
      await put({ pk: contactPk(w.contactId), sk: waiterSk(waiter), type: 'waiter', ...waiter });
    },
    async listWaiters(contactId, event) {
      return (await waiters.listEnrollmentsAndWaiters(contactId, event)).waiters;
    },
    async listEnrollmentsAndWaiters(contactId, event) {
      const items = await queryItems('pk = :pk AND begins_with(sk, :prefix)', {
        ':pk': contactPk(contactId),
        ':prefix': 'ENROLLMENT#',
      });
      const enrolled = items.filter((item) => item.type === 'enrollment');
      const found = items
        .filter((item) => item.type === 'waiter')
        .map(waiterOf)
        .filter((w) => w.event === event);
      // An enrollment that was active before waiters moved may still wait under the earlier key.
      const earlier = enrolled.some((item) => item.status === 'active' && item.waiterKeys !== 'enrollment')
        ? await legacyWaiters(contactId, event)
        : [];
      return {
        enrollments: enrolled.map((item) => strip<Enrollment>(item) as Enrollment),
        waiters: [...found, ...earlier],
      };
    },
    async deleteWaiter(w) {
      await conditional(() =>
        db.send(
          new DeleteCommand({
            TableName: tableName,
            Key: { pk: contactPk(w.contactId), sk: waiterSk(w) },
            ConditionExpression: '#t = :token',
            ExpressionAttributeNames: { '#t': 'token' },
            ExpressionAttributeValues: { ':token': w.token },
          }),
        ),
      );
    },
  };
  return waiters;
}
