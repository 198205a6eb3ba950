import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { catalogBump, firstConditionFailed, tableOps } from '#platform/dynamo-table.ts';
import { journeyPk } from './dynamo-journey-table.ts';
import type { JourneyDraft, JourneySummary, JourneyVersion } from './model.ts';
import type { JourneyStore } from './store.ts';

const versionSk = (n: number) => `V#${String(n).padStart(6, '0')}`;

/** Journeys on DynamoDB: their summaries, drafts and published versions. */
export function createDynamoJourneyVersions(db: DynamoDBDocumentClient, tableName: string): JourneyStore {
  const { conditional, get, queryPrefix } = tableOps(db, tableName);
  const summaryItem = (s: JourneySummary) => ({ pk: 'JOURNEYS', sk: s.journeyId, type: 'journey', ...s });

  return {
    getJourney: (id) => get<JourneySummary>('JOURNEYS', id),
    listJourneys: () => queryPrefix<JourneySummary>('JOURNEYS', ''),
    getDraft: (id) => get<JourneyDraft>(journeyPk(id), 'DRAFT'),
    async saveDraft(draft, name) {
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: { pk: journeyPk(draft.journeyId), sk: 'DRAFT', type: 'journey-draft', ...draft },
                  ConditionExpression: draft.revision === 1 ? 'attribute_not_exists(pk)' : 'revision = :previous',
                  ExpressionAttributeValues: draft.revision === 1 ? undefined : { ':previous': draft.revision - 1 },
                },
              },
              {
                Update: {
                  TableName: tableName,
                  Key: { pk: 'JOURNEYS', sk: draft.journeyId },
                  UpdateExpression:
                    'SET #type = :type, journeyId = :id, #name = :name, #status = if_not_exists(#status, :draft), ' +
                    'draftRevision = :rev, latestVersion = if_not_exists(latestVersion, :zero), updatedAt = :at, updatedBy = :by',
                  ExpressionAttributeNames: { '#type': 'type', '#name': 'name', '#status': 'status' },
                  ExpressionAttributeValues: {
                    ':type': 'journey',
                    ':id': draft.journeyId,
                    ':name': name,
                    ':draft': 'draft',
                    ':rev': draft.revision,
                    ':zero': 0,
                    ':at': draft.savedAt,
                    ':by': draft.savedBy,
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
    async publishVersion(version, summary) {
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    pk: journeyPk(version.journeyId),
                    sk: versionSk(version.version),
                    type: 'journey-version',
                    ...version,
                  },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: summaryItem(summary),
                  ConditionExpression:
                    version.version === 1
                      ? 'attribute_not_exists(latestVersion) OR latestVersion = :zero'
                      : 'latestVersion = :previous',
                  ExpressionAttributeValues:
                    version.version === 1 ? { ':zero': 0 } : { ':previous': version.version - 1 },
                },
              },
              catalogBump(tableName),
            ],
          }),
        );
        return 'published';
      } catch (error) {
        if (
          error instanceof TransactionCanceledException &&
          error.CancellationReasons?.some((r) => r.Code === 'ConditionalCheckFailed')
        ) {
          return 'conflict';
        }
        throw error;
      }
    },
    getVersion: (id, n) => get<JourneyVersion>(journeyPk(id), versionSk(n)),
    listVersions: (id) => queryPrefix<JourneyVersion>(journeyPk(id), 'V#'),
    async setJourneyStatus(id, status, at, by) {
      return conditional(() =>
        db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: tableName,
                  Key: { pk: 'JOURNEYS', sk: id },
                  UpdateExpression: 'SET #s = :s, updatedAt = :at, updatedBy = :by',
                  ConditionExpression: 'attribute_exists(pk)',
                  ExpressionAttributeNames: { '#s': 'status' },
                  ExpressionAttributeValues: { ':s': status, ':at': at, ':by': by },
                },
              },
              catalogBump(tableName),
            ],
          }),
        ),
      );
    },
  };
}
