import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { adminCall, eventsKey, eventually, getContact, stack, uniqueEmail } from '../support/local.ts';
import { userWithToken } from '../support/people.ts';

/** A new contact through the events API (identify), once it exists. */
async function newContact(): Promise<{ email: string; contactId: string }> {
  const email = uniqueEmail('consent');
  const key = await eventsKey();
  const res = await fetch(`${stack.api}/api/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ batch: [{ type: 'identify', messageId: `m-${randomUUID()}`, traits: { email } }] }),
  });
  expect(res.status).toBe(202);
  const contactId = await eventually(
    `the contact ${email}`,
    async () => (await getContact(email)).body.contact?.contactId,
  );
  return { email, contactId };
}

describe("staff record a person's consent request", () => {
  it('lets a marketer unsubscribe a contact from a topic and from all mail, then resubscribe, each on the timeline and in the audit log', async () => {
    const marketer = await userWithToken('marketer');
    const analyst = await userWithToken('analyst');
    const { email, contactId } = await newContact();
    const call = (action: string, topic: string, token = marketer.token) =>
      adminCall('POST', `/api/contacts/${contactId}/${action}`, { topic }, token);

    expect((await call('unsubscribe', 'offers', analyst.token)).status).toBe(403);
    expect(await call('unsubscribe', 'offers')).toMatchObject({
      status: 200,
      json: { contactId, topic: 'offers', status: 'unsubscribed', changed: true },
    });
    expect((await call('unsubscribe', 'offers')).json.changed).toBe(false);
    expect((await call('unsubscribe', 'all')).json).toMatchObject({ status: 'unsubscribed', changed: true });
    let view = (await getContact(email)).body as unknown as {
      contact: { unsubscribedAt?: string; subscriptions?: Record<string, { status: string; source: string }> };
      timeline: { name: string; data: Record<string, unknown> }[];
    };
    expect(view.contact.unsubscribedAt).toEqual(expect.any(String));
    expect(view.contact.subscriptions?.offers).toMatchObject({ status: 'unsubscribed', source: 'staff' });
    const staffEvents = view.timeline.filter((e) => e.data.method === 'staff');
    expect(staffEvents.map((e) => [e.name, e.data.topic, e.data.by])).toEqual([
      ['contact.unsubscribed', 'all', `${marketer.email} (token "marketer-cli")`],
      ['contact.unsubscribed', 'offers', `${marketer.email} (token "marketer-cli")`],
    ]);

    expect((await call('resubscribe', 'all')).json).toMatchObject({ status: 'subscribed', changed: true });
    view = (await getContact(email)).body as unknown as typeof view;
    expect(view.contact.unsubscribedAt).toBeUndefined();
    // Rejoining all marketing mail leaves each topic's own choice as it was.
    expect(view.contact.subscriptions?.offers?.status).toBe('unsubscribed');

    const audit = await adminCall('GET', `/api/audit?actor=${encodeURIComponent(marketer.email)}`);
    const actions = (audit.json.entries as { action: string; target: string; summary: string }[]).map((e) => e.action);
    expect(actions).toEqual([
      'contact.resubscribe',
      'contact.unsubscribe',
      'contact.unsubscribe',
      'contact.unsubscribe',
    ]);
    // The person is named by a keyed hash of their contact id, never the id itself.
    expect(JSON.stringify(audit.json)).not.toContain(contactId);
  });

  it('is recorded from the CLI too', async () => {
    const { contactId } = await newContact();
    const out = spawnSync(
      process.execPath,
      ['bin/tend.js', 'contacts', 'unsubscribe', contactId, 'offers', '--api', stack.api, '--token', stack.adminToken],
      { cwd: path.resolve(import.meta.dirname, '../..'), encoding: 'utf8', timeout: 30_000 },
    );
    expect(out.status).toBe(0);
    expect(out.stdout).toContain(`${contactId}: offers unsubscribed`);
  });

  it('refuses an unknown topic, naming the topics, and an unknown contact', async () => {
    const { contactId } = await newContact();
    const bad = await adminCall('POST', `/api/contacts/${contactId}/unsubscribe`, { topic: 'newsletter' });
    expect(bad.status).toBe(422);
    expect(bad.json.error.message).toContain('"offers"');
    const missing = await adminCall('POST', '/api/contacts/c-nobody/unsubscribe', { topic: 'all' });
    expect(missing).toMatchObject({ status: 404, json: { error: { code: 'contact_not_found' } } });
  });
});
