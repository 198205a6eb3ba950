import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { strip, tableOps } from '#platform/dynamo-table.ts';
import {
  applyTransition,
  DELIVERY_RETENTION_DAYS,
  type Delivery,
  type DeliverySummary,
  type Endpoint,
  summariseDelivery,
} from './outbound.ts';
import type { DueEntry, OutboundStore } from './outbound-store.ts';

/**
 * Outbound webhooks in the single table (pk / sk):
 *   ENDPOINTS              <endpointId>                         endpoint          (the list; secrets sealed)
 *   DELIVERY#<deliveryId>  DELIVERY                             webhook-delivery  (stream → deliver-webhook)
 *   ENDPOINT#<endpointId>  DELIVERY#<createdAt>#<deliveryId>    webhook-log       (the log, newest first; no payload)
 *   WEBHOOK-DUE            <dueAt>#<deliveryId>                 webhook-due       (what the retry job looks at)
 * A delivery and its log entry expire through the table TTL (`expiresAt`) DELIVERY_RETENTION_DAYS
 * after creation. Every unfinished delivery has exactly one due entry; it is replaced in the
 * same transaction that records an attempt, and removed when the delivery finishes.
 */
const ENDPOINTS_PK = 'ENDPOINTS';
const DUE_PK = 'WEBHOOK-DUE';
const deliveryKey = (deliveryId: string) => ({ pk: `DELIVERY#${deliveryId}`, sk: 'DELIVERY' });
const logKey = (d: Pick<Delivery, 'endpointId' | 'createdAt' | 'deliveryId'>) => ({
  pk: `ENDPOINT#${d.endpointId}`,
  sk: `DELIVERY#${d.createdAt}#${d.deliveryId}`,
});
const dueKey = (entry: DueEntry) => ({ pk: DUE_PK, sk: `${entry.dueAt}#${entry.deliveryId}` });
const expiresAt = (createdAt: string) =>
  Math.floor(Date.parse(createdAt) / 1000) + DELIVERY_RETENTION_DAYS * 24 * 60 * 60;

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export function createDynamoOutboundStore(db: DynamoDBDocumentClient, tableName: string): OutboundStore {
  const ops = tableOps(db, tableName);
  const { conditional } = ops;
  const get = <T>(key: { pk: string; sk: string }) => ops.get<T>(key.pk, key.sk);
  const queryAll = <T>(pk: string) => ops.queryPrefix<T>(pk);
  const deliveryItem = (d: Delivery) => ({
    ...deliveryKey(d.deliveryId),
    type: 'webhook-delivery',
    ...d,
    expiresAt: expiresAt(d.createdAt),
  });
  const logItem = (d: Delivery) => ({
    ...logKey(d),
    type: 'webhook-log',
    ...summariseDelivery(d),
    expiresAt: expiresAt(d.createdAt),
  });
  const dueItem = (entry: DueEntry) => ({ ...dueKey(entry), type: 'webhook-due', ...entry });

  return {
    async createEndpoint(endpoint) {
      const created = await conditional(() =>
        db.send(
          new PutCommand({
            TableName: tableName,
            Item: { pk: ENDPOINTS_PK, sk: endpoint.endpointId, type: 'endpoint', ...endpoint },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
      return created ? 'created' : 'exists';
    },
    async getEndpoint(endpointId) {
      return get<Endpoint>({ pk: ENDPOINTS_PK, sk: endpointId });
    },
    async listEndpoints() {
      return queryAll<Endpoint>(ENDPOINTS_PK);
    },
    async setEndpointStatus(endpointId, status, at, reason) {
      const disabling = status === 'disabled';
      return conditional(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: ENDPOINTS_PK, sk: endpointId },
            UpdateExpression: disabling
              ? `SET #s = :s, updatedAt = :at, disabledAt = :at${reason ? ', disabledReason = :r' : ''}`
              : 'SET #s = :s, updatedAt = :at REMOVE disabledAt, disabledReason',
            ConditionExpression: 'attribute_exists(pk) AND #s <> :s',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':s': status, ':at': at, ...(disabling && reason ? { ':r': reason } : {}) },
          }),
        ),
      );
    },
    async replaceEndpointSecrets(endpointId, expectedCurrent, secrets, at) {
      return conditional(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: ENDPOINTS_PK, sk: endpointId },
            UpdateExpression: 'SET secrets = :secrets, updatedAt = :at',
            // Optimistic concurrency: of two rotations racing, only the first lands.
            ConditionExpression: 'secrets[0].sealed = :expected',
            ExpressionAttributeValues: { ':secrets': secrets, ':at': at, ':expected': expectedCurrent },
          }),
        ),
      );
    },

    async createDelivery(delivery) {
      const items: TransactItem[] = [
        {
          Put: {
            TableName: tableName,
            Item: deliveryItem(delivery),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        { Put: { TableName: tableName, Item: logItem(delivery) } },
      ];
      if (delivery.dueAt) {
        items.push({
          Put: { TableName: tableName, Item: dueItem({ deliveryId: delivery.deliveryId, dueAt: delivery.dueAt }) },
        });
      }
      const created = await conditional(() => db.send(new TransactWriteCommand({ TransactItems: items })));
      return created ? 'created' : 'exists';
    },
    async getDelivery(deliveryId) {
      return get<Delivery>(deliveryKey(deliveryId));
    },
    async claimDelivery(deliveryId, attemptCount, now, leaseUntil) {
      return conditional(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: deliveryKey(deliveryId),
            UpdateExpression: 'SET leaseUntil = :until',
            ConditionExpression:
              'attemptCount = :n AND #s IN (:pending, :retrying) AND (attribute_not_exists(leaseUntil) OR leaseUntil <= :now)',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: {
              ':until': leaseUntil,
              ':n': attemptCount,
              ':now': now,
              ':pending': 'pending',
              ':retrying': 'retrying',
            },
          }),
        ),
      );
    },
    async recordAttempt(read, attempt, next) {
      const updated = applyTransition(read, attempt, next);
      const items: TransactItem[] = [
        {
          Put: {
            TableName: tableName,
            Item: deliveryItem(updated),
            ConditionExpression: `attemptCount = :n AND #s IN (:pending, :retrying) AND ${read.dueAt ? 'dueAt = :due' : 'attribute_not_exists(dueAt)'}`,
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: {
              ':n': read.attemptCount,
              ':pending': 'pending',
              ':retrying': 'retrying',
              ...(read.dueAt ? { ':due': read.dueAt } : {}),
            },
          },
        },
        { Put: { TableName: tableName, Item: logItem(updated) } },
      ];
      const oldDue = read.dueAt ? { deliveryId: read.deliveryId, dueAt: read.dueAt } : undefined;
      const newDue = updated.dueAt ? { deliveryId: updated.deliveryId, dueAt: updated.dueAt } : undefined;
      // One transaction may not touch an item twice: an unchanged due entry is simply kept.
      if (oldDue && oldDue.dueAt !== newDue?.dueAt)
        items.push({ Delete: { TableName: tableName, Key: dueKey(oldDue) } });
      if (newDue && newDue.dueAt !== oldDue?.dueAt)
        items.push({ Put: { TableName: tableName, Item: dueItem(newDue) } });
      return conditional(() => db.send(new TransactWriteCommand({ TransactItems: items })));
    },
    async listDeliveries(endpointId, limit) {
      const out = await db.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': `ENDPOINT#${endpointId}`, ':prefix': 'DELIVERY#' },
          ScanIndexForward: false,
          Limit: limit,
        }),
      );
      return (out.Items ?? []).map((item) => strip<DeliverySummary>(item) as DeliverySummary);
    },

    async listDue(at, limit) {
      const out = await db.send(
        new QueryCommand({
          TableName: tableName,
          // Sort keys are `<ISO time>#<id>`; `$` sorts right after `#`, so this takes all of `at`.
          KeyConditionExpression: 'pk = :pk AND sk < :upper',
          ExpressionAttributeValues: { ':pk': DUE_PK, ':upper': `${at}$` },
          Limit: limit,
          ConsistentRead: true,
        }),
      );
      return (out.Items ?? []).map((item) => ({ deliveryId: String(item.deliveryId), dueAt: String(item.dueAt) }));
    },
    async removeDue(entry) {
      await db.send(new DeleteCommand({ TableName: tableName, Key: dueKey(entry) }));
    },
  };
}
