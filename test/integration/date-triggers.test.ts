import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LOCAL_TABLE_NAME } from '../../infra/local/table.ts';
import { adminCall, db, drained, eventsKey, eventually, getContact, stack, uniqueEmail } from '../support/local.ts';
import { scanAll } from '../support/scan.ts';

/**
 * A date-triggered journey (a renewal, a birthday) is armed for a contact as its first records go
 * through the stream: a new contact carrying the date gets its due item, one carrying none gets
 * none.
 */
describe('date triggers on new contacts', () => {
  it('arms a new contact that carries the date, and not one that does not', async () => {
    const tag = randomUUID().slice(0, 8);
    const id = `it-date-${tag}`;
    const property = `renewal_${tag}`;
    const doc = {
      schemaVersion: 1,
      id,
      name: 'Renewal under test',
      triggers: [{ type: 'date', property: `properties.${property}`, repeat: 'once', at: '09:00' }],
      start: 'hold',
      nodes: {
        hold: { type: 'wait', duration: { days: 1 }, next: 'done' },
        done: { type: 'exit' },
      },
    };
    expect((await adminCall('PUT', `/api/journeys/${id}`, doc)).status).toBe(200);
    expect((await adminCall('POST', `/api/journeys/${id}/publish`)).status).toBe(201);

    const key = await eventsKey();
    const identify = (email: string, traits: Record<string, unknown>) =>
      fetch(`${stack.api}/api/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          batch: [{ type: 'identify', messageId: `m-${randomUUID()}`, traits: { email, ...traits } }],
        }),
      });
    const dated = uniqueEmail('date-armed');
    const undated = uniqueEmail('date-none');
    expect((await identify(dated, { [property]: '2030-01-15' })).status).toBe(202);
    expect((await identify(undated, { plan: 'basic' })).status).toBe(202);

    // Every page: the shared stack's table is larger than the 1 MB a scan reads at a time.
    const dueFor = (contactId: string) =>
      scanAll(db, {
        TableName: LOCAL_TABLE_NAME,
        FilterExpression: '#type = :due AND contactId = :c AND journeyId = :j',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':due': 'due', ':c': contactId, ':j': id },
      });
    const contactIdOf = async (email: string) =>
      eventually(`the contact ${email}`, async () => (await getContact(email)).body.contact?.contactId);
    const armedId = await contactIdOf(dated);
    const armed = await eventually('its due item', async () => {
      const items = await dueFor(armedId);
      return items.length > 0 ? items : undefined;
    });
    // 09:00 on the date in the contact's time zone.
    expect(armed).toEqual([expect.objectContaining({ kind: 'date', dueAt: expect.stringMatching(/^2030-01-1[45]T/) })]);

    const otherId = await contactIdOf(undated);
    await drained();
    expect(await dueFor(otherId)).toEqual([]);
  });
});
