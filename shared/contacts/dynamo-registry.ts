import { type DynamoDBDocumentClient, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { batchPut, firstConditionFailed, tableOps } from '#platform/dynamo-table.ts';
import type { RegistryStore } from '#platform/store.ts';
import type { ApiKey } from '#sources/model.ts';
import type { IdentityConflict, ImportRecord, ImportRowError } from './model.ts';

/**
 * Registry items in the single table (pk / sk):
 *   CONFLICTS          <conflictId>               conflict    (identity conflicts for review)
 *   APIKEYS            <keyId>                    api-key     (hashed secret, scopes)
 *   IMPORTS            <importId>                 import      (mode, counters)
 *   IMPORT#<id>        BATCH#<first row>          import-batch (makes a retried batch count once)
 *   IMPORT#<id>        ERROR#<row>                import-error (the per-row error report)
 * The lists are small (tens of keys, hundreds of imports), so one partition each is fine.
 */
const pad = (row: number) => String(row).padStart(9, '0');

export function createDynamoRegistry(db: DynamoDBDocumentClient, tableName: string): RegistryStore {
  const { get, queryPrefix: list, conditional } = tableOps(db, tableName);
  const putNew = (item: Record<string, unknown>) =>
    conditional(() =>
      db.send(new PutCommand({ TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' })),
    );
  const updateIfExists = async (
    pk: string,
    sk: string,
    expression: string,
    values: Record<string, unknown>,
    names?: Record<string, string>,
    extraCondition = '',
  ) =>
    conditional(() =>
      db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk, sk },
          UpdateExpression: expression,
          ConditionExpression: `attribute_exists(pk)${extraCondition}`,
          ExpressionAttributeValues: values,
          ExpressionAttributeNames: names,
        }),
      ),
    );

  return {
    async putConflict(conflict) {
      const stored = await putNew({ pk: 'CONFLICTS', sk: conflict.conflictId, type: 'conflict', ...conflict });
      return stored ? 'recorded' : 'duplicate';
    },
    async listConflicts() {
      return list<IdentityConflict>('CONFLICTS');
    },
    async setConflictStatus(conflictId, status) {
      return updateIfExists('CONFLICTS', conflictId, 'SET #s = :s', { ':s': status }, { '#s': 'status' });
    },

    async createApiKey(key) {
      await putNew({ pk: 'APIKEYS', sk: key.keyId, type: 'api-key', ...key });
    },
    async getApiKey(keyId) {
      return get<ApiKey>('APIKEYS', keyId);
    },
    async listApiKeys() {
      return list<ApiKey>('APIKEYS');
    },
    async revokeApiKey(keyId, at) {
      return updateIfExists(
        'APIKEYS',
        keyId,
        'SET revokedAt = :at',
        { ':at': at },
        undefined,
        ' AND attribute_not_exists(revokedAt)',
      );
    },
    async touchApiKey(keyId, at) {
      await updateIfExists('APIKEYS', keyId, 'SET lastUsedAt = :at', { ':at': at });
    },

    async createImport(record) {
      await putNew({ pk: 'IMPORTS', sk: record.importId, type: 'import', ...record });
    },
    async getImport(importId) {
      return get<ImportRecord>('IMPORTS', importId);
    },
    async recordImportBatch(importId, firstRow, counts, errors) {
      // Errors first (idempotent puts), then the batch marker and the counters in one
      // transaction: the marker's condition makes a retried batch count once, and a crash in
      // between leaves the errors to be rewritten identically by the retry.
      await batchPut(
        db,
        tableName,
        errors.map((e) => ({ pk: `IMPORT#${importId}`, sk: `ERROR#${pad(e.row)}`, type: 'import-error', ...e })),
      );
      const keys = Object.keys(counts);
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: { pk: `IMPORT#${importId}`, sk: `BATCH#${pad(firstRow)}`, type: 'import-batch', counts },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Update: {
                  TableName: tableName,
                  Key: { pk: 'IMPORTS', sk: importId },
                  UpdateExpression: `ADD ${keys.map((k) => `#c.#${k} :${k}`).join(', ')}`,
                  ConditionExpression: 'attribute_exists(pk)',
                  ExpressionAttributeNames: { '#c': 'counts', ...Object.fromEntries(keys.map((k) => [`#${k}`, k])) },
                  ExpressionAttributeValues: Object.fromEntries(Object.entries(counts).map(([k, v]) => [`:${k}`, v])),
                },
              },
            ],
          }),
        );
        return true;
      } catch (error) {
        if (firstConditionFailed(error)) return false;
        throw error;
      }
    },
    async completeImport(importId, at) {
      await updateIfExists(
        'IMPORTS',
        importId,
        'SET #s = :s, completedAt = :at',
        { ':s': 'completed', ':at': at },
        { '#s': 'status' },
      );
    },
    async listImportErrors(importId, limit) {
      return list<ImportRowError>(`IMPORT#${importId}`, 'ERROR#', limit);
    },
  };
}
