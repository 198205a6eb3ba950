import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { createDynamoContacts } from '#contacts/dynamo-contacts.ts';
import type { Contact, TimelineEvent } from '#core/contact.ts';
import { createDynamoJourneyStores } from '#journeys/dynamo-journeys.ts';
import { createDynamoSources } from '#sources/dynamo-sources.ts';
import type { InboxRecord } from '#sources/model.ts';
import { db, scratchTable } from '../support/local.ts';

/**
 * Retention on DynamoDB Local: inbox records and, when a timeline retention is set, timeline
 * events carry `expiresAt` (epoch seconds, the table's TTL attribute) from the moment they are
 * written; without a period they carry none and are kept.
 */
const tableName = scratchTable('retention');
const DAY = 86_400;
const epoch = (iso: string) => Date.parse(iso) / 1000;
const raw = async (pk: string, sk: string) =>
  (await db.send(new GetCommand({ TableName: tableName, Key: { pk, sk }, ConsistentRead: true }))).Item;

const inbox = (inboxId: string, status: InboxRecord['status'] = 'received'): InboxRecord => ({
  inboxId,
  sourceId: 'shop',
  webhookId: inboxId.split(':')[1] ?? inboxId,
  topic: 'orders/create',
  receivedAt: '2026-03-01T12:00:00.000Z',
  body: '{"id":1}',
  status,
});

describe('inbox retention', () => {
  it('gives a stored record an expiry the configured days after its receipt, ignored ones too', async () => {
    const sources = createDynamoSources(db, tableName, { inboxDays: 30 });
    expect(await sources.putInboxOnce(inbox('shop:d1'))).toBe('stored');
    expect(await sources.putInboxOnce(inbox('shop:d2', 'ignored'))).toBe('stored');
    const expected = epoch('2026-03-01T12:00:00.000Z') + 30 * DAY;
    expect((await raw('INBOX#shop:d1', 'INBOX'))?.expiresAt).toBe(expected);
    expect((await raw('INBOX#shop:d2', 'INBOX'))?.expiresAt).toBe(expected);
    // What the app reads of the record is the record: the TTL attribute stays in the table.
    expect(await sources.getInbox('shop:d1')).toEqual(inbox('shop:d1'));
  });

  it('keeps the first expiry when a replay of the delivery is refused', async () => {
    await createDynamoSources(db, tableName, { inboxDays: 7 }).putInboxOnce(inbox('shop:d3'));
    const replay = { ...inbox('shop:d3'), receivedAt: '2026-03-05T12:00:00.000Z' };
    expect(await createDynamoSources(db, tableName, { inboxDays: 90 }).putInboxOnce(replay)).toBe('duplicate');
    expect((await raw('INBOX#shop:d3', 'INBOX'))?.expiresAt).toBe(epoch('2026-03-01T12:00:00.000Z') + 7 * DAY);
  });

  it('writes no expiry without a retention period', async () => {
    await createDynamoSources(db, tableName).putInboxOnce(inbox('shop:d4'));
    const item = await raw('INBOX#shop:d4', 'INBOX');
    expect(item?.inboxId).toBe('shop:d4');
    expect(item).not.toHaveProperty('expiresAt');
  });
});

const contact = (contactId: string): Contact => ({
  contactId,
  email: `${contactId}@retention.example`,
  properties: {},
  createdAt: '2026-03-01T12:00:00.000Z',
  updatedAt: '2026-03-01T12:00:00.000Z',
  createdBy: `inbox:${contactId}`,
});
const event = (
  contactId: string,
  eventId: string,
  at: string,
  name: TimelineEvent['name'] = 'form.submitted',
): TimelineEvent => ({
  eventId,
  contactId,
  name,
  at,
  data: { orderId: eventId },
});

describe('timeline retention', () => {
  const journeys = createDynamoJourneyStores(db, tableName);

  it('gives every timeline write an expiry the configured days after the event happened', async () => {
    const contacts = createDynamoContacts(db, tableName, journeys, { timelineDays: 365 });
    const first = event('c1', 'e-first', '2026-01-10T08:00:00.000Z');
    const cause = event('c1', 'e-cause', '2026-01-10T08:00:01.000Z');
    const appended = event('c1', 'e-appended', '2026-02-10T08:00:00.000Z');
    const batched = event('c1', 'e-batched', '2026-03-10T08:00:00.000Z');
    await contacts.createContact(contact('c1'), first, [{ kind: 'email', value: 'c1@retention.example' }], cause);
    expect(await contacts.appendEvent(appended)).toBe('appended');
    await contacts.appendEventWith(batched, { orderRef: 'shop:o-1' });

    for (const e of [first, cause, appended, batched]) {
      expect((await raw('CONTACT#c1', `EVENT#${e.eventId}`))?.expiresAt, e.eventId).toBe(epoch(e.at) + 365 * DAY);
    }
    // An erase finds merged contacts and order references through these: they are kept.
    const placed = event('c1', 'e-placed', '2026-03-11T08:00:00.000Z', 'order.placed');
    const merged = event('c1', 'e-merged', '2026-03-12T08:00:00.000Z', 'contact.merged');
    for (const kept of [placed, merged]) {
      expect(await contacts.appendEvent(kept)).toBe('appended');
      expect(await raw('CONTACT#c1', `EVENT#${kept.eventId}`), kept.name).not.toHaveProperty('expiresAt');
    }
    // The contact, its identity and the order reference are not timeline: they are kept.
    expect(await raw('CONTACT#c1', 'PROFILE')).not.toHaveProperty('expiresAt');
    expect(await raw('ORDER#shop:o-1', 'ORDER')).not.toHaveProperty('expiresAt');
    expect((await contacts.listEvents('c1', 10)).map((e) => Object.keys(e).includes('expiresAt'))).toEqual(
      Array(6).fill(false),
    );
  });

  it('writes a replayed event exactly as before', async () => {
    const contacts = createDynamoContacts(db, tableName, journeys, { timelineDays: 30 });
    const replayed = event('c2', 'e-replayed', '2026-02-01T00:00:00.000Z');
    await contacts.appendEventWith(replayed, {});
    const before = await raw('CONTACT#c2', 'EVENT#e-replayed');
    await contacts.appendEventWith(replayed, {});
    expect(await raw('CONTACT#c2', 'EVENT#e-replayed')).toEqual(before);
    expect(before?.expiresAt).toBe(epoch(replayed.at) + 30 * DAY);
  });

  it('keeps the timeline without a retention period', async () => {
    const contacts = createDynamoContacts(db, tableName, journeys);
    await contacts.appendEvent(event('c3', 'e-kept', '2026-02-01T00:00:00.000Z'));
    expect(await raw('CONTACT#c3', 'EVENT#e-kept')).not.toHaveProperty('expiresAt');
  });
});
