import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { createDynamoRegistry } from '#contacts/dynamo-registry.ts';
import type { IdentityRef, ProfileChange } from '#contacts/store.ts';
import type { IdentifierKind } from '#core/canonical-event.ts';
import type { Contact, Enrollment, TimelineEvent } from '#core/contact.ts';
import { createDynamoJourneyStores, lastEventsUpdate } from '#journeys/dynamo-journeys.ts';
import type { MessageRef, SendRecord, Suppression, TemplateVersion } from '#messaging/store.ts';
import { createDynamoSegmentStore } from '#segments/dynamo-segments.ts';
import type { InboxRecord, Source } from '#sources/store.ts';
import { eventItem, firstConditionFailed, strip, tableOps } from './dynamo-table.ts';
import type { TendStore } from './store.ts';

/**
 * Single-table layout (pk / sk):
 *   SOURCES            <sourceId>                 source      (sealed secrets, settings, counters)
 *   INBOX#<inboxId>    INBOX                      inbox       (stream → process-inbox)
 *   IDENTITY#<kind>#<value> IDENTITY              identity    (email, phone, provider id → one contact)
 *   CONTACT#<id>       PROFILE                    contact
 *   CONTACT#<id>       EVENT#<eventId>            event       (LSI `timeline` orders by timelineSk)
 *   CONTACT#<id>       SEND#<enrollmentId>#<node> send
 *   SUPPRESSION#<email> SUPPRESSION              suppression (hard bounce or complaint)
 *   MESSAGE#<sesId>    MESSAGE                    message     (SES message id → contact, send)
 *   ORDER#<provider>:<orderId> ORDER              order-ref   (who placed an order: refunds name only the order)
 *   TEMPLATE#<id>      CURRENT | V#<000001>       template    (current version and every version)
 *   TEMPLATES          <id>                       template-summary (the list)
 * plus the registry items listed in dynamo-registry.ts, the journey items in dynamo-journeys.ts
 * and the segment items in dynamo-segments.ts.
 */
export const TIMELINE_INDEX = 'timeline';

const contactPk = (id: string) => `CONTACT#${id}`;
const identityPk = (kind: IdentifierKind, value: string) => `IDENTITY#${kind}#${value}`;
const orderRefItem = (orderRef: string, contactId: string) => ({
  pk: `ORDER#${orderRef}`,
  sk: 'ORDER',
  type: 'order-ref',
  orderRef,
  contactId,
});

export function createDynamoStore(db: DynamoDBDocumentClient, tableName: string): TendStore {
  const { batchGet, conditional, get, queryPrefix, withMap } = tableOps(db, tableName);
  const put = async (
    item: Record<string, unknown>,
    condition?: string,
    names?: Record<string, string>,
    values?: Record<string, unknown>,
  ): Promise<boolean> =>
    conditional(() =>
      db.send(
        new PutCommand({
          TableName: tableName,
          Item: item,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );

  const identityItem = (ref: IdentityRef, contactId: string) => ({
    pk: identityPk(ref.kind, ref.value),
    sk: 'IDENTITY',
    type: 'identity',
    kind: ref.kind,
    value: ref.value,
    contactId,
  });

  const countUpdate = (sourceId: string, outcome: string, at: string) => ({
    Key: { pk: 'SOURCES', sk: sourceId },
    UpdateExpression: 'ADD stats.#o :one SET stats.lastDeliveryAt = :at',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeNames: { '#o': outcome },
    ExpressionAttributeValues: { ':one': 1, ':at': at },
  });
  /** Counting inside the source's `stats` map (see `withMap`). */
  const withStatsMap = <T>(sourceId: string, write: () => Promise<T>) =>
    withMap({ pk: 'SOURCES', sk: sourceId }, 'stats', write);
  const messageItem = (ref: MessageRef) => ({ pk: `MESSAGE#${ref.messageId}`, sk: 'MESSAGE', type: 'message', ...ref });
  /**
   * The first record of a send wins: a late Send event must not move sentAt. Recording the same
   * message again (the send path after SES's Send event, or the other way round) passes.
   */
  const markSentUpdate = (contactId: string, sendKey: string, messageId: string, at: string) => ({
    TableName: tableName,
    Key: { pk: contactPk(contactId), sk: `SEND#${sendKey}` },
    UpdateExpression: 'SET #s = :sent, messageId = :m, sentAt = if_not_exists(sentAt, :at)',
    ConditionExpression: 'attribute_exists(pk) AND (#s = :sending OR messageId = :m)',
    ExpressionAttributeNames: { '#s': 'status' },
    ExpressionAttributeValues: { ':sent': 'sent', ':sending': 'sending', ':m': messageId, ':at': at },
  });

  const journeyStores = createDynamoJourneyStores(db, tableName);
  return {
    ...createDynamoRegistry(db, tableName),
    ...journeyStores,
    ...createDynamoSegmentStore(db, tableName),

    async getSource(sourceId) {
      return get<Source>('SOURCES', sourceId);
    },
    async createSource(source) {
      // Created with its stats map, so counting a delivery is one write.
      const item = { pk: 'SOURCES', sk: source.sourceId, type: 'source', stats: {}, ...source };
      return (await put(item, 'attribute_not_exists(pk)')) ? 'created' : 'exists';
    },
    async updateSource(source) {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: 'SOURCES', sk: source.sourceId },
          UpdateExpression: 'SET #n = :n, secrets = :sec, settings = :set, #s = :s, updatedAt = :u',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#n': 'name', '#s': 'status' },
          ExpressionAttributeValues: {
            ':n': source.name,
            ':sec': source.secrets,
            ':set': source.settings,
            ':s': source.status,
            ':u': source.updatedAt,
          },
        }),
      );
    },
    async listSources() {
      return queryPrefix<Source>('SOURCES', '');
    },
    async countDelivery(sourceId, outcome, at) {
      await withStatsMap(sourceId, () =>
        db.send(new UpdateCommand({ TableName: tableName, ...countUpdate(sourceId, outcome, at) })),
      );
    },

    async putInboxOnce(record) {
      const item = { pk: `INBOX#${record.inboxId}`, sk: 'INBOX', type: 'inbox', ...record };
      return (await put(item, 'attribute_not_exists(pk)')) ? 'stored' : 'duplicate';
    },
    async getInbox(inboxId) {
      return get<InboxRecord>(`INBOX#${inboxId}`, 'INBOX');
    },
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
              { Put: { TableName: tableName, Item: eventItem(firstEvent) } },
              ...(cause ? [{ Put: { TableName: tableName, Item: eventItem(cause) } }] : []),
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
      return put(identityItem(ref, contactId), 'attribute_not_exists(pk) OR contactId = :c', undefined, {
        ':c': contactId,
      });
    },
    async moveIdentifier(ref, from, to) {
      return put(identityItem(ref, to), 'contactId = :from', undefined, { ':from': from });
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
      if (await write({})) await journeyStores.touchLastEvents(contactId, lastEvents);
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
    async appendEvent(event) {
      return (await put(eventItem(event), 'attribute_not_exists(pk)')) ? 'appended' : 'duplicate';
    },
    async putOrderRef(orderRef, contactId) {
      await put(orderRefItem(orderRef, contactId));
    },
    async appendEventWith(event, { orderRef, dues = [] }) {
      // One BatchWriteItem. The event is put unconditionally: a replay writes the same item
      // again, which changes nothing (and makes no stream record).
      await journeyStores.putDueWith(dues, [
        eventItem(event),
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

    async getSend(contactId, sendKey) {
      return get<SendRecord>(contactPk(contactId), `SEND#${sendKey}`);
    },
    async getSendContext({ contactId, enrollmentId, sendKey, templateId, triggerEventId }) {
      const pk = contactPk(contactId);
      const found = await batchGet([
        { pk, sk: 'PROFILE' },
        { pk, sk: `ENROLLMENT#${enrollmentId}` },
        { pk, sk: `SEND#${sendKey}` },
        { pk: `TEMPLATE#${templateId}`, sk: 'CURRENT' },
        ...(triggerEventId ? [{ pk, sk: `EVENT#${triggerEventId}` }] : []),
      ]);
      const item = <T>(pk: string, sk: string) => strip<T>(found.get(`${pk}\n${sk}`));
      return {
        contact: item<Contact>(pk, 'PROFILE'),
        enrollment: item<Enrollment>(pk, `ENROLLMENT#${enrollmentId}`),
        send: item<SendRecord>(pk, `SEND#${sendKey}`),
        template: item<TemplateVersion>(`TEMPLATE#${templateId}`, 'CURRENT') ?? null,
        trigger: triggerEventId ? item<TimelineEvent>(pk, `EVENT#${triggerEventId}`) : undefined,
      };
    },
    async recordSent(ref, at, event) {
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: tableName, Item: messageItem(ref) } },
              { Update: markSentUpdate(ref.contactId, ref.sendKey, ref.messageId, at) },
              {
                Put: { TableName: tableName, Item: eventItem(event), ConditionExpression: 'attribute_not_exists(pk)' },
              },
            ],
          }),
        );
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        // Recorded before (a retried step): write what is missing, one by one.
        await put(messageItem(ref));
        await conditional(() =>
          db.send(new UpdateCommand(markSentUpdate(ref.contactId, ref.sendKey, ref.messageId, at))),
        );
        await put(eventItem(event), 'attribute_not_exists(pk)');
      }
    },
    async claimSend(claim) {
      const claimed = await put(
        { pk: contactPk(claim.contactId), sk: `SEND#${claim.sendKey}`, type: 'send', ...claim, status: 'sending' },
        'attribute_not_exists(pk)',
      );
      if (claimed) return { outcome: 'claimed' };
      const record = (await get<SendRecord>(contactPk(claim.contactId), `SEND#${claim.sendKey}`)) as SendRecord;
      return record.status === 'sent' ? { outcome: 'sent', record } : { outcome: 'in-doubt', record };
    },
    async renewClaim(contactId, sendKey, previous, claimedAt) {
      return conditional(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: contactPk(contactId), sk: `SEND#${sendKey}` },
            UpdateExpression: 'SET claimedAt = :now',
            ConditionExpression: '#s = :sending AND claimedAt = :previous',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':now': claimedAt, ':sending': 'sending', ':previous': previous },
          }),
        ),
      );
    },
    async markSent(contactId, sendKey, messageId, at) {
      await conditional(() => db.send(new UpdateCommand(markSentUpdate(contactId, sendKey, messageId, at))));
    },
    async listSentSince(contactId, since) {
      const sends = await queryPrefix<SendRecord>(contactPk(contactId), 'SEND#');
      return sends.filter((s) => s.status === 'sent' && (s.sentAt ?? '') >= since);
    },

    async getTemplate(id) {
      return get<TemplateVersion>(`TEMPLATE#${id}`, 'CURRENT');
    },
    async saveTemplateVersion(v) {
      const item = { pk: `TEMPLATE#${v.id}`, type: 'template', ...v };
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: { ...item, sk: 'CURRENT' },
                  // Optimistic concurrency: only the successor of the current version may land.
                  ConditionExpression: v.version === 1 ? 'attribute_not_exists(pk)' : 'version = :previous',
                  ExpressionAttributeValues: v.version === 1 ? undefined : { ':previous': v.version - 1 },
                },
              },
              { Put: { TableName: tableName, Item: { ...item, sk: `V#${String(v.version).padStart(6, '0')}` } } },
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    pk: 'TEMPLATES',
                    sk: v.id,
                    type: 'template-summary',
                    id: v.id,
                    version: v.version,
                    savedAt: v.savedAt,
                    savedBy: v.savedBy,
                  },
                },
              },
            ],
          }),
        );
        return 'saved';
      } catch (error) {
        if (firstConditionFailed(error)) return 'conflict';
        throw error;
      }
    },
    async listTemplates() {
      return queryPrefix<{ id: string; version: number; savedAt: string; savedBy: string }>('TEMPLATES', '');
    },
    async listTemplateVersions(id) {
      return queryPrefix<TemplateVersion>(`TEMPLATE#${id}`, 'V#');
    },
    async getSuppression(email) {
      return get<Suppression>(`SUPPRESSION#${email}`, 'SUPPRESSION');
    },
    async putSuppression(entry) {
      return put(
        { pk: `SUPPRESSION#${entry.email}`, sk: 'SUPPRESSION', type: 'suppression', ...entry },
        'attribute_not_exists(pk)',
      );
    },
    async putMessageRef(ref) {
      await put(messageItem(ref));
    },
    async getMessageRef(messageId) {
      return get<MessageRef>(`MESSAGE#${messageId}`, 'MESSAGE');
    },
  };
}
