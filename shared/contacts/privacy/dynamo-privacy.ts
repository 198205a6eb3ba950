import { DeleteCommand, type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { tableOps } from '#platform/dynamo-table.ts';
import type { ErasedAddress, PrivacyRequest } from './model.ts';
import type { PrivacyStore } from './store.ts';

/**
 * Privacy items in the single table (pk / sk):
 *   PRIVACY#<requestId>  REQUEST   privacy-request  (stream, new items → erase-contact; the contact id
 *                                                    only while running, `removed` counts by kind)
 *   ERASED#<hash>        ERASED    erased-address   (keyed hash of an erased email; imports skip it)
 */
const requestKey = (requestId: string) => ({ pk: `PRIVACY#${requestId}`, sk: 'REQUEST' });
const erasedKey = (hash: string) => ({ pk: `ERASED#${hash}`, sk: 'ERASED' });

/** The key of a request item: the erase adds its counts to it in the transactions that delete. */
export const privacyRequestKey = requestKey;

export function createDynamoPrivacy(db: DynamoDBDocumentClient, tableName: string): PrivacyStore {
  const { conditional, get, put } = tableOps(db, tableName);
  const requestItem = (r: PrivacyRequest) => ({
    ...requestKey(r.requestId),
    type: 'privacy-request',
    ...r,
    // Created with its map, so the erase's counts are one ADD each.
    removed: r.removed ?? {},
  });
  return {
    async createRequest(request) {
      return (await put(requestItem(request), 'attribute_not_exists(pk)')) ? 'created' : 'exists';
    },
    async getRequest(requestId) {
      const { pk, sk } = requestKey(requestId);
      return get<PrivacyRequest>(pk, sk);
    },
    async restartRequest(request) {
      // Removed, then written anew: the stream sees a new item, which is what the consumer reads.
      await db.send(new DeleteCommand({ TableName: tableName, Key: requestKey(request.requestId) }));
      await put(requestItem(request), 'attribute_not_exists(pk)');
    },
    async finishRequest(requestId, doneAt) {
      return conditional(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: requestKey(requestId),
            UpdateExpression: 'SET #s = :done, doneAt = :at REMOVE contactId',
            ConditionExpression: '#s = :running',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':done': 'done', ':running': 'running', ':at': doneAt },
          }),
        ),
      );
    },
    async getErased(hash) {
      const { pk, sk } = erasedKey(hash);
      return get<ErasedAddress>(pk, sk);
    },
    async putErased(entry) {
      await put({ ...erasedKey(entry.hash), type: 'erased-address', ...entry });
    },
  };
}
