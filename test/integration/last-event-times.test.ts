import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { LOCAL_TABLE_NAME } from '../../infra/local/table.ts';
import { db, drained, eventually, getContact, postWebhook, uniqueEmail } from '../support/local.ts';

/**
 * Inactivity triggers read when each business event last happened to a contact (`lastEventAt`).
 * A contact is created with its first event's time; later events' times are kept by
 * refresh-contact, in the write of the contact's scores.
 */
const profileOf = async (contactId: string) =>
  (
    await db.send(
      new GetCommand({
        TableName: LOCAL_TABLE_NAME,
        Key: { pk: `CONTACT#${contactId}`, sk: 'PROFILE' },
        ConsistentRead: true,
      }),
    )
  ).Item;

describe('the time of each business event on the contact', () => {
  it('is kept for an existing contact’s order, and an older order replayed later does not move it back', async () => {
    const email = uniqueEmail('last-event');
    expect((await postWebhook({ body: JSON.stringify({ email, firstName: 'Lee' }) })).status).toBe(202);
    const contactId = await eventually('the contact', async () => (await getContact(email)).body.contact?.contactId);
    await drained();

    const order = (orderId: string, timestamp: string) =>
      JSON.stringify({
        type: 'order.placed',
        timestamp,
        data: {
          email,
          orderId,
          lineItems: [{ name: 'Linen throw', quantity: 1, unitPrice: { currency: 'EUR', amountMinor: 8900 } }],
          total: { currency: 'EUR', amountMinor: 8900 },
        },
      });
    const placedAt = new Date(Date.now() - 60_000).toISOString();
    expect((await postWebhook({ body: order(`lt-${contactId}-1`, placedAt) })).status).toBe(202);
    const kept = await eventually('the order time on the contact', async () => {
      const times = (await profileOf(contactId))?.lastEventAt as Record<string, string> | undefined;
      return times?.['order.placed'];
    });
    expect(kept).toBe(placedAt);

    // An order placed earlier, delivered after: its time does not replace the later one.
    const earlier = new Date(Date.now() - 3_600_000).toISOString();
    expect((await postWebhook({ body: order(`lt-${contactId}-0`, earlier) })).status).toBe(202);
    await drained();
    const times = (await profileOf(contactId))?.lastEventAt as Record<string, string>;
    expect(times['order.placed']).toBe(placedAt);
    expect(times['form.submitted']).toBeDefined();
  });
});
