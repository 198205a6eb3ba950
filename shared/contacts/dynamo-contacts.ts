import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { IdentifierKind } from '#core/canonical-event.ts';
import type { Contact, TimelineEvent } from '#core/contact.ts';
import type { DynamoDueQueue } from '#journeys/dynamo-due.ts';
import { lastEventsUpdate } from '#journeys/dynamo-last-events.ts';
import type { DueStore } from '#journeys/store.ts';
import {
  contactPk,
  eventItem,
  strip,
  TIMELINE_INDEX,
  type TimelineRetention,
  tableOps,
} from '#platform/dynamo-table.ts';
import type { IdentityRef, ProfileChange } from './model.ts';
import type { ContactStore } from './store.ts';

/**
 * Contact items in the single table (pk / sk):
 *   IDENTITY#<kind>#<value> IDENTITY              identity    (email, phone, provider id → one contact)
 *   CONTACT#<id>       PROFILE                    contact
 *   CONTACT#<id>       EVENT#<eventId>            event       (LSI `timeline` orders by timelineSk)
 *   ORDER#<provider>:<orderId> ORDER              order-ref   (who placed an order: refunds name only the order)
 */

const identityPk = (kind: IdentifierKind, value: string) => `IDENTITY#${kind}#${value}`;
const orderRefItem = (orderRef: string, contactId: string) => ({
  pk: `ORDER#${orderRef}`,
  sk: 'ORDER',
  type: 'order-ref',
  orderRef,
  contactId,
});

/**
 * Contacts on DynamoDB. `journeys` are the journey stores of the same table: the latest event
 * times a contact's scores are written with, and the due items its events queue.
 */
export function createDynamoContacts(
  db: DynamoDBDocumentClient,
  tableName: string,
  journeys: Pick<DueStore, 'touchLastEvents'> & Pick<DynamoDueQueue, 'putDueWith'>,
  retention: TimelineRetention = {},
): ContactStore {
  const { conditional, get, put, withMap } = tableOps(db, tableName);
  const timelineItem = (event: TimelineEvent) => eventItem(event, retention);

  const identityItem = (ref: IdentityRef, contactId: string) => ({
    pk: identityPk(ref.kind, ref.value),
    sk: 'IDENTITY',
    type: 'identity',
    kind: ref.kind,
    value: ref.value,
    contactId,
  });

  return {
    async findContactIdByEmail(email) {
      return (await get<{ contactId: string }>(identityPk('email', email), 'IDENTITY'))?.contactId;
    },
    async findContactIdByIdentifier(kind, value) {
      return (await get<{ contactId: string }>(identityPk(kind, value), 'IDENTITY'))?.contactId;
    },
    async getContact(contactId) {
      return get<Contact>(contactPk(contactId), 'PROFILE');
    },
    async createContact(contact, firstEvent, identities, cause) {
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              ...identities.map((ref) => ({
                Put: {
                  TableName: tableName,
                  Item: identityItem(ref, contact.contactId),
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              })),
              {
                Put: {
                  TableName: tableName,
                  Item: { pk: contactPk(contact.contactId), sk: 'PROFILE', type: 'contact', ...contact },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              { Put: { TableName: tableName, Item: timelineItem(firstEvent) } },
              ...(cause ? [{ Put: { TableName: tableName, Item: timelineItem(cause) } }] : []),
            ],
          }),
        );
        return 'created';
      } catch (error) {
        const reasons = error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
        if (reasons.slice(0, identities.length).some((r) => r.Code === 'ConditionalCheckFailed')) {
          return 'identifier-taken';
        }
        throw error;
      }
    },
    async claimIdentifier(ref, contactId) {
      return put(identityItem(ref, contactId), 'attribute_not_exists(pk) OR contactId = :c', { ':c': contactId });
    },
    async moveIdentifier(ref, from, to) {
      return put(identityItem(ref, to), 'contactId = :from', { ':from': from });
    },
    async changeProfile(contactId, expectedVersion, change: ProfileChange, at) {
      const names: Record<string, string> = { '#u': 'updatedAt', '#ver': 'version' };
      const values: Record<string, unknown> = { ':u': at, ':next': expectedVersion + 1 };
      const sets = ['#u = :u', '#ver = :next'];
      const removes: string[] = [];
      let n = 0;
      const name = (field: string) => {
        const key = `#n${n++}`;
        names[key] = field;
        return key;
      };
      const value = (v: unknown) => {
        const key = `:v${n++}`;
        values[key] = v;
        return key;
      };
      for (const field of ['email', 'phone', 'mergedInto'] as const) {
        if (change[field] !== undefined) sets.push(`${name(field)} = ${value(change[field])}`);
      }
      for (const field of ['firstName', 'lastName'] as const) {
        const v = change[field];
        if (v === null) removes.push(name(field));
        else if (v !== undefined) sets.push(`${name(field)} = ${value(v)}`);
      }
      if (change.externalIds && Object.keys(change.externalIds).length > 0) {
        sets.push(`${name('externalIds')} = ${value(change.externalIds)}`);
      }
      if (change.tags) sets.push(`${name('tags')} = ${value(change.tags)}`);
      if (change.addAnonymousIds?.length) {
        const list = name('anonymousIds');
        sets.push(`${list} = list_append(if_not_exists(${list}, ${value([])}), ${value(change.addAnonymousIds)})`);
      }
      const inMap = (map: string, key: string) => `${name(map)}.${name(key)}`;
      for (const [key, v] of Object.entries(change.setProperties ?? {}))
        sets.push(`${inMap('properties', key)} = ${value(v)}`);
      for (const key of change.removeProperties ?? []) removes.push(inMap('properties', key));
      for (const [key, v] of Object.entries(change.provenance ?? {}))
        sets.push(`${inMap('provenance', key)} = ${value(v)}`);
      return conditional(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: contactPk(contactId), sk: 'PROFILE' },
            UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
            ConditionExpression:
              expectedVersion === 0
                ? 'attribute_exists(pk) AND attribute_not_exists(#ver)'
                : 'attribute_exists(pk) AND #ver = :expected',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: expectedVersion === 0 ? values : { ...values, ':expected': expectedVersion },
          }),
        ),
      );
    },
    async setScores(contactId, scores, at, profileVersion, lastEvents = {}) {
      const key = { pk: contactPk(contactId), sk: 'PROFILE' };
      const write = (latest: Readonly<Record<string, string>>) => {
        const events = lastEventsUpdate(latest);
        return conditional(() =>
          db.send(
            new UpdateCommand({
              TableName: tableName,
              Key: key,
              UpdateExpression: `SET ${['scores = :scores', 'scoresAt = :at', 'scoresVersion = :v', ...events.sets].join(', ')}`,
              ConditionExpression: ['attribute_exists(pk)', ...events.conditions].join(' AND '),
              ExpressionAttributeValues: { ':scores': scores, ':at': at, ':v': profileVersion, ...events.values },
              ...(events.sets.length > 0 ? { ExpressionAttributeNames: events.names } : {}),
            }),
          ),
        );
      };
      if (Object.keys(lastEvents).length === 0) {
        await write({});
        return;
      }
      // With the events' times in the same write; when a later time is kept for one of them (or
      // the contact is gone), the scores alone and the times name by name.
      if (await withMap(key, 'lastEventAt', () => write(lastEvents))) return;
      if (await write({})) await journeys.touchLastEvents(contactId, lastEvents);
    },
    async markUnsubscribed(contactId, at) {
      return conditional(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: contactPk(contactId), sk: 'PROFILE' },
            UpdateExpression: 'SET unsubscribedAt = :at, updatedAt = :at',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(unsubscribedAt)',
            ExpressionAttributeValues: { ':at': at },
          }),
        ),
      );
    },
    async setGlobalUnsubscribe(contactId, unsubscribedAt, at) {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: contactPk(contactId), sk: 'PROFILE' },
          UpdateExpression: unsubscribedAt
            ? 'SET unsubscribedAt = :u, updatedAt = :at'
            : 'REMOVE unsubscribedAt SET updatedAt = :at',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: unsubscribedAt ? { ':u': unsubscribedAt, ':at': at } : { ':at': at },
        }),
      );
    },
    async setSubscription(contactId, topicId, subscription) {
      // Two steps because DynamoDB cannot create the map and a key inside it in one SET.
      const key = { pk: contactPk(contactId), sk: 'PROFILE' };
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression: 'SET subscriptions = if_not_exists(subscriptions, :empty)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':empty': {} },
        }),
      );
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression: 'SET subscriptions.#t = :s, updatedAt = :at',
          ExpressionAttributeNames: { '#t': topicId },
          ExpressionAttributeValues: { ':s': subscription, ':at': subscription.at },
        }),
      );
    },
    async appendEvent(event, options) {
      if (!options?.onlyIfContact) {
        return (await put(timelineItem(event), 'attribute_not_exists(pk)')) ? 'appended' : 'duplicate';
      }
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                ConditionCheck: {
                  TableName: tableName,
                  Key: { pk: contactPk(event.contactId), sk: 'PROFILE' },
                  ConditionExpression: 'attribute_exists(pk)',
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: timelineItem(event),
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ],
          }),
        );
        return 'appended';
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const [profile, put] = error.CancellationReasons ?? [];
        if (profile?.Code === 'ConditionalCheckFailed') return 'no-contact';
        if (put?.Code === 'ConditionalCheckFailed') return 'duplicate';
        throw error;
      }
    },
    async putOrderRef(orderRef, contactId) {
      await put(orderRefItem(orderRef, contactId));
    },
    async appendEventWith(event, { orderRef, dues = [] }) {
      // One BatchWriteItem. The event is put unconditionally: a replay writes the same item
      // again, which changes nothing (and makes no stream record).
      await journeys.putDueWith(dues, [
        timelineItem(event),
        ...(orderRef ? [orderRefItem(orderRef, event.contactId)] : []),
      ]);
    },
    async findContactIdByOrder(orderRef) {
      return (await get<{ contactId: string }>(`ORDER#${orderRef}`, 'ORDER'))?.contactId;
    },
    async getEvent(contactId, eventId) {
      return get<TimelineEvent>(contactPk(contactId), `EVENT#${eventId}`);
    },
    async listEvents(contactId, limit) {
      const out = await db.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: TIMELINE_INDEX,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': contactPk(contactId) },
          ScanIndexForward: false,
          Limit: limit,
        }),
      );
      return (out.Items ?? []).map((item) => strip<TimelineEvent>(item) as TimelineEvent);
    },
  };
}
