import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Contact, Enrollment, TimelineEvent } from '#core/contact.ts';
import {
  contactPk,
  eventItem,
  firstConditionFailed,
  strip,
  type TimelineRetention,
  tableOps,
} from '#platform/dynamo-table.ts';
import type { MessageRef, SendRecord, Suppression, TemplateVersion } from './model.ts';
import type { MessageStore, SendStore, SuppressionStore, TemplateStore } from './store.ts';

/**
 * Messaging items in the single table (pk / sk):
 *   CONTACT#<id>       SEND#<enrollmentId>#<node> send
 *   SUPPRESSION#<email> SUPPRESSION              suppression (hard bounce or complaint)
 *   MESSAGE#<sesId>    MESSAGE                    message     (SES message id → contact, send)
 *   TEMPLATE#<id>      CURRENT | V#<000001>       template    (current version and every version)
 *   TEMPLATES          <id>                       template-summary (the list)
 */
export function createDynamoMessaging(
  db: DynamoDBDocumentClient,
  tableName: string,
  retention: TimelineRetention = {},
): SendStore & SuppressionStore & MessageStore & TemplateStore {
  const { batchGet, conditional, get, put, queryPrefix } = tableOps(db, tableName);

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

  return {
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
                Put: {
                  TableName: tableName,
                  Item: eventItem(event, retention),
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
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
        await put(eventItem(event, retention), 'attribute_not_exists(pk)');
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
