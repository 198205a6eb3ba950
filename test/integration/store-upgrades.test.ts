import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { createDynamoStore } from '#platform/dynamo-store.ts';
import { aggregateEvents, sourceCounterKey } from '#reports/aggregates.ts';
import { createDynamoAggregates } from '#reports/dynamo-aggregates.ts';
import type { Source } from '#sources/model.ts';
import { withDeliveryCounts } from '#sources/sources.ts';
import { db, scratchTable } from '../support/local.ts';

/**
 * Items written before contacts carried a `lastEventAt` map and sources a `stats` map: the
 * one-write paths for new items fall back to creating the map first, on DynamoDB Local itself
 * (the error it answers is what the fallback recognises). And waits registered before they were
 * kept with their enrollment: still found, and deleted by their own key.
 */
const tableName = scratchTable('store-upgrades');
const store = createDynamoStore(db, tableName);
const aggregates = createDynamoAggregates(db, tableName);
const read = async (pk: string, sk: string) =>
  (await db.send(new GetCommand({ TableName: tableName, Key: { pk, sk }, ConsistentRead: true }))).Item;

describe('items written by earlier versions', () => {
  it('records an event time on a contact that has no lastEventAt map yet', async () => {
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: 'CONTACT#old', sk: 'PROFILE', type: 'contact', contactId: 'old', version: 3 },
      }),
    );
    await store.touchLastEvents('old', { 'order.placed': '2026-11-02T10:00:00.000Z' });
    await store.touchLastEvents('old', { 'order.placed': '2026-11-01T10:00:00.000Z' });
    expect((await read('CONTACT#old', 'PROFILE'))?.lastEventAt).toEqual({ 'order.placed': '2026-11-02T10:00:00.000Z' });
  });

  it('keeps event times with the scores, on a contact without the map too, never moving one back', async () => {
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: 'CONTACT#scored', sk: 'PROFILE', type: 'contact', contactId: 'scored', version: 2 },
      }),
    );
    const scores = { rfm: 'new', churnRisk: 'low', leadScore: 10, loyaltyTier: 'bronze' };
    await store.setScores('scored', scores, '2026-11-02T10:00:01.000Z', 2, {
      'order.placed': '2026-11-02T10:00:00.000Z',
      'form.submitted': '2026-11-01T10:00:00.000Z',
    });
    expect(await read('CONTACT#scored', 'PROFILE')).toMatchObject({
      scores,
      lastEventAt: { 'order.placed': '2026-11-02T10:00:00.000Z', 'form.submitted': '2026-11-01T10:00:00.000Z' },
    });
    // A replayed older order with a new name: the scores and the new name's time land, the
    // later order's time stays.
    const later = { ...scores, leadScore: 20 };
    await store.setScores('scored', later, '2026-11-02T10:00:02.000Z', 2, {
      'order.placed': '2026-11-01T09:00:00.000Z',
      'nps.responded': '2026-11-03T10:00:00.000Z',
    });
    expect(await read('CONTACT#scored', 'PROFILE')).toMatchObject({
      scores: later,
      lastEventAt: {
        'order.placed': '2026-11-02T10:00:00.000Z',
        'form.submitted': '2026-11-01T10:00:00.000Z',
        'nps.responded': '2026-11-03T10:00:00.000Z',
      },
    });
  });

  it('counts a replay on a source that has no stats map yet, and keeps the counts an earlier version kept', async () => {
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: 'SOURCES', sk: 'old-form', type: 'source', sourceId: 'old-form', kind: 'standard-webhooks' },
      }),
    );
    const record = {
      inboxId: 'old-form:msg_1',
      sourceId: 'old-form',
      webhookId: 'msg_1',
      receivedAt: '2026-11-02T10:00:00.000Z',
      body: '{}',
      status: 'received' as const,
      events: [],
    };
    expect(await store.putInboxOnce(record)).toBe('stored');
    expect(await store.putInboxOnce(record)).toBe('duplicate');
    await store.countDelivery('old-form', 'duplicate', '2026-11-02T10:00:01.000Z');
    expect((await read('SOURCES', 'old-form'))?.stats).toEqual({
      duplicate: 1,
      lastDeliveryAt: '2026-11-02T10:00:01.000Z',
    });
    expect(await read('INBOX#old-form:msg_1', 'INBOX')).toMatchObject({ status: 'received' });

    // Accepted deliveries an earlier version counted on the item add to those counted since.
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          pk: 'SOURCES',
          sk: 'older-form',
          type: 'source',
          sourceId: 'older-form',
          kind: 'standard-webhooks',
          stats: { accepted: 3, ignored: 1, lastDeliveryAt: '2026-11-01T09:00:00.000Z' },
        },
      }),
    );
    await aggregateEvents(aggregates, [], [{ ...record, inboxId: 'older-form:msg_2', sourceId: 'older-form' }]);
    const key = sourceCounterKey('older-form');
    const source = (await store.getSource('older-form')) as Source;
    expect(withDeliveryCounts(source, (await aggregates.getCounters([key]))[key]).stats).toEqual({
      accepted: 4,
      duplicate: 0,
      ignored: 1,
      lastDeliveryAt: '2026-11-02T10:00:00.000Z',
    });
  });

  it('finds and deletes a wait registered under the earlier key while its enrollment is active', async () => {
    const pk = 'CONTACT#waits';
    const enrollment = {
      enrollmentId: 'e-old',
      contactId: 'waits',
      journeyId: 'abandoned-cart',
      journeyVersion: 1,
      triggerEventId: 'checkout',
      status: 'active',
      enteredAt: '2026-11-02T10:00:00.000Z',
    };
    const waiter = {
      contactId: 'waits',
      event: 'order.placed',
      enrollmentId: 'e-old',
      nodeId: 'wait-order',
      journeyId: 'abandoned-cart',
      token: 'token-old',
      where: [],
      since: '2026-11-02T10:00:00.000Z',
      expiresAt: 1_900_000_000,
    };
    await db.send(
      new PutCommand({ TableName: tableName, Item: { pk, sk: 'ENROLLMENT#e-old', type: 'enrollment', ...enrollment } }),
    );
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk, sk: 'WAITER#order.placed#e-old#wait-order', type: 'waiter', ...waiter },
      }),
    );

    const listed = await store.listEnrollmentsAndWaiters('waits', 'order.placed');
    expect(listed.enrollments).toEqual([enrollment]);
    expect(listed.waiters).toEqual([{ ...waiter, legacyKey: true }]);

    await store.deleteWaiter(listed.waiters[0] as (typeof listed.waiters)[number]);
    expect(await read(pk, 'WAITER#order.placed#e-old#wait-order')).toBeUndefined();
    expect((await store.listEnrollmentsAndWaiters('waits', 'order.placed')).waiters).toEqual([]);
  });
});
