import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Contact, Enrollment, TimelineEvent } from '#domain/contact.ts';
import type {
  ContactPatch,
  InboxRecord,
  MessageRef,
  SendRecord,
  Source,
  Suppression,
  TemplateVersion,
  TendStore,
} from '#ports/store.ts';

/**
 * Single-table layout (pk / sk):
 *   SOURCE#<id>        SOURCE                     source
 *   INBOX#<inboxId>    INBOX                      inbox       (stream → process-inbox)
 *   EMAIL#<email>      EMAIL                      email-index (unique email → contact)
 *   CONTACT#<id>       PROFILE                    contact
 *   CONTACT#<id>       EVENT#<eventId>            event       (LSI `timeline` orders by timelineSk)
 *   CONTACT#<id>       ENROLLMENT#<enrollmentId>  enrollment
 *   CONTACT#<id>       SEND#<enrollmentId>#<node> send
 *   SUPPRESSION#<email> SUPPRESSION              suppression (hard bounce or complaint)
 *   MESSAGE#<sesId>    MESSAGE                    message     (SES message id → contact, send)
 *   TEMPLATE#<id>      CURRENT | V#<000001>       template    (current version and every version)
 *   TEMPLATES          <id>                       template-summary (the list)
 */
export const TIMELINE_INDEX = 'timeline';

const contactPk = (id: string) => `CONTACT#${id}`;
const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException;
/** A transaction cancelled because its first item's condition failed (the one that guards it). */
const firstConditionFailed = (error: unknown) =>
  error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed';

/** Strips key attributes so the domain never sees storage details. */
function strip<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, type: _type, timelineSk: _t, ...rest } = item;
  return rest as T;
}

export function createDynamoStore(db: DynamoDBDocumentClient, tableName: string): TendStore {
  /** Runs a conditional write; false when its condition failed, any other error thrown. */
  const conditional = async (write: () => Promise<unknown>): Promise<boolean> => {
    try {
      await write();
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  };
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
  const get = async <T>(pk: string, sk: string): Promise<T | undefined> => {
    const out = await db.send(new GetCommand({ TableName: tableName, Key: { pk, sk }, ConsistentRead: true }));
    return strip<T>(out.Item);
  };
  const queryPrefix = async <T>(pk: string, prefix: string): Promise<T[]> => {
    const items: T[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await db.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      );
      for (const item of out.Items ?? []) items.push(strip<T>(item) as T);
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return items;
  };

  return {
    async getSource(sourceId) {
      return get<Source>(`SOURCE#${sourceId}`, 'SOURCE');
    },
    async putSource(source) {
      await put({ pk: `SOURCE#${source.sourceId}`, sk: 'SOURCE', type: 'source', ...source });
    },

    async putInboxOnce(record) {
      const stored = await put(
        { pk: `INBOX#${record.inboxId}`, sk: 'INBOX', type: 'inbox', ...record },
        'attribute_not_exists(pk)',
      );
      return stored ? 'stored' : 'duplicate';
    },
    async getInbox(inboxId) {
      return get<InboxRecord>(`INBOX#${inboxId}`, 'INBOX');
    },
    async markInbox(inboxId, status, at, error) {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: `INBOX#${inboxId}`, sk: 'INBOX' },
          UpdateExpression: error ? 'SET #s = :s, processedAt = :at, #e = :e' : 'SET #s = :s, processedAt = :at',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#s': 'status', ...(error ? { '#e': 'error' } : {}) },
          ExpressionAttributeValues: { ':s': status, ':at': at, ...(error ? { ':e': error } : {}) },
        }),
      );
    },

    async findContactIdByEmail(email) {
      const index = await get<{ contactId: string }>(`EMAIL#${email}`, 'EMAIL');
      return index?.contactId;
    },
    async getContact(contactId) {
      return get<Contact>(contactPk(contactId), 'PROFILE');
    },
    async createContact(contact, firstEvent) {
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    pk: `EMAIL#${contact.email}`,
                    sk: 'EMAIL',
                    type: 'email-index',
                    contactId: contact.contactId,
                  },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: { pk: contactPk(contact.contactId), sk: 'PROFILE', type: 'contact', ...contact },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              { Put: { TableName: tableName, Item: eventItem(firstEvent) } },
            ],
          }),
        );
        return 'created';
      } catch (error) {
        if (firstConditionFailed(error)) return 'email-taken';
        throw error;
      }
    },
    async updateContact(contactId, patch: ContactPatch, at) {
      const names: Record<string, string> = { '#u': 'updatedAt' };
      const values: Record<string, unknown> = { ':u': at };
      const sets = ['#u = :u'];
      const add = (field: string, value: unknown) => {
        const n = `#f${sets.length}`;
        const v = `:v${sets.length}`;
        sets.push(`${n} = ${v}`);
        names[n] = field;
        values[v] = value;
      };
      if (patch.firstName !== undefined) add('firstName', patch.firstName);
      if (patch.lastName !== undefined) add('lastName', patch.lastName);
      for (const [key, value] of Object.entries(patch.properties ?? {})) {
        const n = `#p${sets.length}`;
        const v = `:v${sets.length}`;
        sets.push(`#props.${n} = ${v}`);
        names['#props'] = 'properties';
        names[n] = key;
        values[v] = value;
      }
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: contactPk(contactId), sk: 'PROFILE' },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
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

    async createEnrollment(enrollment) {
      const created = await put(
        {
          pk: contactPk(enrollment.contactId),
          sk: `ENROLLMENT#${enrollment.enrollmentId}`,
          type: 'enrollment',
          ...enrollment,
        },
        'attribute_not_exists(pk)',
      );
      return created ? 'created' : 'exists';
    },
    async getEnrollment(contactId, enrollmentId) {
      return get<Enrollment>(contactPk(contactId), `ENROLLMENT#${enrollmentId}`);
    },
    async setExecutionArn(contactId, enrollmentId, executionArn) {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: contactPk(contactId), sk: `ENROLLMENT#${enrollmentId}` },
          UpdateExpression: 'SET executionArn = :arn',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':arn': executionArn },
        }),
      );
    },
    async endEnrollment(contactId, enrollmentId, status, at) {
      return conditional(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: contactPk(contactId), sk: `ENROLLMENT#${enrollmentId}` },
            UpdateExpression: 'SET #s = :s, endedAt = :at',
            ConditionExpression: '#s = :active',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':s': status, ':at': at, ':active': 'active' },
          }),
        ),
      );
    },
    async listEnrollments(contactId) {
      return queryPrefix<Enrollment>(contactPk(contactId), 'ENROLLMENT#');
    },

    async getSend(contactId, sendKey) {
      return get<SendRecord>(contactPk(contactId), `SEND#${sendKey}`);
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
    async markSent(contactId, sendKey, messageId, at) {
      await conditional(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: contactPk(contactId), sk: `SEND#${sendKey}` },
            UpdateExpression: 'SET #s = :sent, messageId = :m, sentAt = :at',
            // The first record of the send wins: a late Send event must not move sentAt.
            ConditionExpression: 'attribute_exists(pk) AND #s = :sending',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':sent': 'sent', ':sending': 'sending', ':m': messageId, ':at': at },
          }),
        ),
      );
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
      await put({ pk: `MESSAGE#${ref.messageId}`, sk: 'MESSAGE', type: 'message', ...ref });
    },
    async getMessageRef(messageId) {
      return get<MessageRef>(`MESSAGE#${messageId}`, 'MESSAGE');
    },
  };
}

const eventItem = (event: TimelineEvent) => ({
  pk: contactPk(event.contactId),
  sk: `EVENT#${event.eventId}`,
  type: 'event',
  timelineSk: `${event.at}#${event.eventId}`,
  ...event,
});
