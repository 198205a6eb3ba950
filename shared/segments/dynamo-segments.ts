import { type DynamoDBDocumentClient, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Contact } from '#core/contact.ts';
import { catalogBump, contactPk, eventItem, strip, type TimelineRetention, tableOps } from '#platform/dynamo-table.ts';
import type { Membership, StoredSegment } from './model.ts';
import type { SegmentStore } from './store.ts';

/**
 * Segment items (pk / sk):
 *   SEGMENTS           <segmentId>              segment         (rule, revision, member count, re-evaluation)
 *   SEGMENT#<id>       <contactId>              segment-member  (the member list, in contact id order)
 *   CONTACT#<id>       SEGMENT#<segmentId>      membership      (the contact's segments)
 * Entering writes both membership items, the `segment.entered` timeline event and +1 on the
 * count in one transaction; leaving deletes them with `segment.exited` and -1. So the count is
 * exact and a replay changes nothing.
 */
const membersPk = (id: string) => `SEGMENT#${id}`;
const OPTIONAL = ['description', 'reevaluation'] as const;

export function createDynamoSegmentStore(
  db: DynamoDBDocumentClient,
  tableName: string,
  retention: TimelineRetention = {},
): SegmentStore {
  const { conditional, get, queryItems, queryPrefix } = tableOps(db, tableName);
  return {
    listSegments: () => queryPrefix<StoredSegment>('SEGMENTS', ''),
    getSegment: (id) => get<StoredSegment>('SEGMENTS', id),
    async saveSegment(segment, expectedRevision) {
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = { ':zero': 0, ':type': 'segment' };
      const sets = ['#type = :type', 'members = if_not_exists(members, :zero)'];
      names['#type'] = 'type';
      const removes: string[] = [];
      for (const [key, value] of Object.entries(segment)) {
        if (value === undefined) continue;
        names[`#${key}`] = key;
        values[`:${key}`] = value;
        sets.push(`#${key} = :${key}`);
      }
      for (const key of OPTIONAL) {
        if (segment[key] !== undefined) continue;
        names[`#${key}`] = key;
        removes.push(`#${key}`);
      }
      if (expectedRevision !== undefined) values[':expected'] = expectedRevision;
      const saved = await conditional(() =>
        db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: tableName,
                  Key: { pk: 'SEGMENTS', sk: segment.id },
                  UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
                  ConditionExpression:
                    expectedRevision === undefined ? 'attribute_not_exists(pk)' : 'revision = :expected',
                  ExpressionAttributeNames: names,
                  ExpressionAttributeValues: values,
                },
              },
              catalogBump(tableName),
            ],
          }),
        ),
      );
      return saved ? 'saved' : 'conflict';
    },
    updateReevaluation: (segmentId, progress) =>
      conditional(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: 'SEGMENTS', sk: segmentId },
            UpdateExpression: 'SET reevaluation = :progress',
            ConditionExpression: 'reevaluation.revision = :revision',
            ExpressionAttributeValues: { ':progress': progress, ':revision': progress.revision },
          }),
        ),
      ),
    listMemberships: (contactId) => queryPrefix<Membership>(contactPk(contactId), 'SEGMENT#'),
    async getContactWithMemberships(contactId) {
      // PROFILE and the SEGMENT# items are neighbours in the contact's partition: one query.
      const items = await queryItems('pk = :pk AND sk BETWEEN :from AND :to', {
        ':pk': contactPk(contactId),
        ':from': 'PROFILE',
        ':to': 'SEGMENT$',
      });
      const profile = items.find((item) => item.sk === 'PROFILE');
      return {
        ...(profile ? { contact: strip<Contact>(profile) } : {}),
        memberships: items
          .filter((item) => String(item.sk).startsWith('SEGMENT#'))
          .map((item) => strip<Membership>(item) as Membership),
      };
    },
    async listMembers(segmentId, cursor, limit) {
      const out = await db.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': membersPk(segmentId) },
          ExclusiveStartKey: cursor ? { pk: membersPk(segmentId), sk: cursor } : undefined,
          Limit: limit,
        }),
      );
      const members = (out.Items ?? []).map((item) => strip<Membership>(item) as Membership);
      const next = out.LastEvaluatedKey?.sk;
      return typeof next === 'string' ? { members, cursor: next } : { members };
    },
    enterSegment: (m, event) =>
      conditional(() =>
        db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: { pk: membersPk(m.segmentId), sk: m.contactId, type: 'segment-member', ...m },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: { pk: contactPk(m.contactId), sk: `SEGMENT#${m.segmentId}`, type: 'membership', ...m },
                },
              },
              {
                Update: {
                  TableName: tableName,
                  Key: { pk: 'SEGMENTS', sk: m.segmentId },
                  UpdateExpression: 'ADD members :one',
                  ConditionExpression: 'attribute_exists(pk)',
                  ExpressionAttributeValues: { ':one': 1 },
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: eventItem(event, retention),
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ],
          }),
        ),
      ),
    leaveSegment: (m, event) =>
      conditional(() =>
        db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Delete: {
                  TableName: tableName,
                  Key: { pk: membersPk(m.segmentId), sk: m.contactId },
                  ConditionExpression: 'attribute_exists(pk)',
                },
              },
              { Delete: { TableName: tableName, Key: { pk: contactPk(m.contactId), sk: `SEGMENT#${m.segmentId}` } } },
              {
                Update: {
                  TableName: tableName,
                  Key: { pk: 'SEGMENTS', sk: m.segmentId },
                  UpdateExpression: 'ADD members :minus',
                  ExpressionAttributeValues: { ':minus': -1 },
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: eventItem(event, retention),
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ],
          }),
        ),
      ),
  };
}
