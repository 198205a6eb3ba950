import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { createDynamoJourneyStores } from '#journeys/dynamo-journeys.ts';
import type { DueItem } from '#journeys/model.ts';
import { createDynamoStore } from '#platform/dynamo-store.ts';
import { scratchTable, stack } from '../support/local.ts';

/**
 * Due items on DynamoDB Local: an hour well ahead of the clock is looked up in DUE-HOURS once per
 * store, and an hour the sweep unlisted is listed again by the next put there.
 */
const tableName = scratchTable('due-hours');
const client = new DynamoDBClient({
  region: 'us-east-1',
  endpoint: stack.dynamodb,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
const db = DynamoDBDocumentClient.from(client);
const calls: string[] = [];
client.middlewareStack.add(
  (next, context) => (args) => {
    // Marshalled (`{ S }`) or not, depending on where the document client is in its own stack.
    const text = (v: unknown) => (typeof v === 'string' ? v : ((v as { S?: string } | undefined)?.S ?? ''));
    const input = args.input as { Key?: { pk?: unknown }; Item?: { pk?: unknown } };
    const pk = text(input.Key?.pk ?? input.Item?.pk);
    calls.push(`${String(context.commandName).replace(/Command$/, '')} ${pk.split('#')[0]}`);
    return next(args);
  },
  { step: 'initialize', name: 'countCommands' },
);

const HOUR = 3_600_000;
const hourStart = (ms: number) => Math.floor(ms / HOUR) * HOUR;
const item = (dueMs: number, contactId = randomUUID()): DueItem => ({
  dueAt: new Date(dueMs).toISOString(),
  kind: 'inactivity',
  journeyId: 'j',
  contactId,
  trigger: 0,
  basis: new Date().toISOString(),
});

afterAll(() => client.destroy());

describe('due hours', () => {
  it('looks an hour well ahead up once, then puts items there without reading', async () => {
    const store = createDynamoJourneyStores(db, tableName);
    const ahead = hourStart(Date.now()) + 30 * 24 * HOUR;
    calls.length = 0;
    await store.putDue(item(ahead + 60_000));
    await store.putDue(item(ahead + 120_000));
    await store.putDue(item(ahead + 180_000));
    expect(calls).toEqual(['PutItem DUE', 'GetItem DUE-HOURS', 'PutItem DUE-HOURS', 'PutItem DUE', 'PutItem DUE']);
    expect(await store.nextDueAt()).toBe(new Date(ahead + 60_000).toISOString());
  });

  it('looks the current hour up at every put (the sweep may unlist it at any time)', async () => {
    const store = createDynamoJourneyStores(db, tableName);
    const now = Date.now();
    calls.length = 0;
    await store.putDue(item(now));
    await store.putDue(item(now));
    expect(calls.filter((c) => c.startsWith('GetItem'))).toEqual(['GetItem DUE-HOURS', 'GetItem DUE-HOURS']);
  });

  it("keeps a contact's score and segment items due at the same moment apart, and deletes each", async () => {
    const store = createDynamoJourneyStores(db, tableName);
    const contactId = randomUUID();
    const at = new Date(hourStart(Date.now()) - 3 * HOUR + 5_000).toISOString();
    const both: DueItem[] = (['scores', 'segments'] as const).map((kind) => ({
      dueAt: at,
      kind,
      journeyId: '',
      contactId,
      trigger: 0,
      basis: '',
    }));
    await store.putDue(both);
    const mine = async () =>
      (await store.listDue(new Date().toISOString(), 1000)).filter((d) => d.contactId === contactId);
    expect((await mine()).map((d) => d.kind).sort()).toEqual(['scores', 'segments']);
    for (const item of both) await store.deleteDue(item);
    expect(await mine()).toEqual([]);
  });

  it('deletes a score item queued in the earlier key form', async () => {
    const store = createDynamoJourneyStores(db, tableName);
    const contactId = randomUUID();
    const old = { ...item(hourStart(Date.now()) - 4 * HOUR, contactId), kind: 'scores' as const, journeyId: '' };
    const hour = old.dueAt.slice(0, 13);
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: `DUE#${hour}`, sk: `${old.dueAt}##${contactId}#0`, type: 'due', ...old },
      }),
    );
    await db.send(new PutCommand({ TableName: tableName, Item: { pk: 'DUE-HOURS', sk: hour, type: 'due-hour' } }));
    const mine = async () =>
      (await store.listDue(new Date().toISOString(), 1000)).filter((d) => d.contactId === contactId);
    const [found] = await mine();
    expect(found?.kind).toBe('scores');
    await store.deleteDue(found as DueItem);
    expect(await mine()).toEqual([]);
  });

  it('lists an hour again when an item is put there after the sweep unlisted it', async () => {
    const writer = createDynamoJourneyStores(db, tableName);
    const sweeper = createDynamoJourneyStores(db, tableName);
    const past = hourStart(Date.now()) - 5 * HOUR;
    const first = item(past + 60_000);
    await writer.putDue(first);
    const now = new Date(past + 2 * HOUR).toISOString();
    expect((await sweeper.listDue(now, 100)).map((d) => d.contactId)).toContain(first.contactId);
    await sweeper.deleteDue(first);
    // Found empty: unlisted.
    expect((await sweeper.listDue(now, 100)).map((d) => d.contactId)).not.toContain(first.contactId);
    const second = item(past + 120_000);
    await writer.putDue(second);
    expect((await sweeper.listDue(now, 100)).map((d) => d.contactId)).toContain(second.contactId);
  });

  it('writes an event with its order reference and the items it arms in one request, and lists their hour', async () => {
    const store = createDynamoStore(db, tableName);
    const contactId = randomUUID();
    const dueMs = hourStart(Date.now()) - 6 * HOUR + 7_000;
    const event = {
      eventId: `order.placed:test:${contactId}`,
      contactId,
      name: 'order.placed' as const,
      at: new Date(dueMs).toISOString(),
      data: { orderId: 'o-1' },
    };
    calls.length = 0;
    await store.appendEventWith(event, { orderRef: `test:${contactId}`, dues: [item(dueMs, contactId)] });

    expect(calls[0]).toBe('BatchWriteItem ');
    expect(await store.getEvent(contactId, event.eventId)).toEqual(event);
    expect(await store.findContactIdByOrder(`test:${contactId}`)).toBe(contactId);
    const due = await store.listDue(new Date().toISOString(), 1000);
    expect(due.filter((d) => d.contactId === contactId)).toHaveLength(1);
  });
});
