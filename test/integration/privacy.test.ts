import { randomUUID } from 'node:crypto';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { eraseContract } from '#contacts/privacy/erase.contract.ts';
import { mentions } from '#contacts/privacy/traces.ts';
import { createApiClient } from '../../cli/http.ts';
import { contactsCommand } from '../../cli/privacy.ts';
import { LOCAL_TABLE_NAME } from '../../infra/local/table.ts';
import {
  adminCall,
  db,
  drained,
  emailsTo,
  eventsKey,
  eventually,
  getContact,
  postWebhook,
  scratchTable,
  sfn,
  stack,
  uniqueEmail,
} from '../support/local.ts';
import { scanAll } from '../support/scan.ts';

// The erase against every key space, on a table of this file's own (no pipeline acts on it).
const scratch = scratchTable('privacy');
eraseContract(db, () => scratch);

const usage = (message: string): never => {
  throw new Error(message);
};

/** An identify call through the events API (adds the phone to the person the email names). */
async function identify(email: string, phone: string) {
  const res = await fetch(`${stack.api}/api/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await eventsKey()}`, 'content-type': 'application/json' },
    body: JSON.stringify({ batch: [{ type: 'identify', messageId: `m-${randomUUID()}`, email, phone }] }),
  });
  expect(res.status).toBe(202);
}

describe('privacy requests on the local stack', () => {
  it('exports a person with a welcome email, an enrollment and segments, then erases every trace of them', async () => {
    // Arrange: a segment and a long-running journey only this person enters, then the person.
    const tag = randomUUID().slice(0, 8);
    const segmentId = `priv-${tag}`;
    const journeyId = `priv-hold-${tag}`;
    const byTag = [{ path: 'fields.privacyTag', op: 'eq', value: tag }];
    const segment = { name: 'Privacy test', conditions: [{ kind: 'event', event: 'form.submitted', where: byTag }] };
    expect((await adminCall('PUT', `/api/segments/${segmentId}`, segment)).status).toBe(200);
    const hold = {
      schemaVersion: 1,
      id: journeyId,
      name: 'Privacy hold',
      triggers: [{ type: 'event', event: 'form.submitted', where: byTag }],
      start: 'hold',
      nodes: { hold: { type: 'wait', duration: { days: 365 }, next: 'done' }, done: { type: 'exit' } },
    };
    expect((await adminCall('PUT', `/api/journeys/${journeyId}`, hold)).status).toBe(200);
    const published = await adminCall('POST', `/api/journeys/${journeyId}/publish`);
    expect(published.status, JSON.stringify(published.json)).toBe(201);

    const email = uniqueEmail('privacy');
    const firstName = `Prisca${tag}`;
    const lastName = `Vey${tag}`;
    const phone = `+4420${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
    const form = { email, firstName, lastName, fields: { privacyTag: tag } };
    expect((await postWebhook({ body: JSON.stringify(form) })).status).toBe(202);
    await eventually('the welcome email', async () => (await emailsTo(email))[0]);
    await identify(email, phone);
    const view = await eventually(
      'onboarding done, both emails delivered, the phone known',
      async () => {
        const { body } = await getContact(email);
        const onboarding = body.enrollments?.find((e) => e.journeyId === 'onboarding');
        const delivered = body.timeline?.filter((e) => e.name === 'email.delivered').length ?? 0;
        const phoned = (body.contact as { phone?: string } | undefined)?.phone === phone;
        return onboarding?.status === 'completed' && delivered === 2 && phoned ? body : undefined;
      },
      30_000,
    );
    const { contactId } = view.contact;
    const held = view.enrollments.find((e) => e.journeyId === journeyId);
    expect(held?.status).toBe('active');
    await eventually('the segment membership', async () => {
      const { json } = await adminCall('GET', `/api/segments/${segmentId}/members?limit=10`);
      return (json.members as { contactId: string }[]).some((m) => m.contactId === contactId) ? true : undefined;
    });
    await drained();

    // Act and assert: the export holds the profile, the timeline, the messages and the rest.
    const exported = await adminCall('GET', `/api/contacts/${contactId}/export`);
    expect(exported.status).toBe(200);
    expect(exported.json.contact).toMatchObject({ contactId, email, firstName, lastName, phone });
    expect(exported.json.contact.provenance.firstName).toMatchObject({ source: 'demo-form' });
    expect(exported.json.identities).toEqual(
      expect.arrayContaining([
        { kind: 'email', value: email },
        { kind: 'phone', value: phone },
      ]),
    );
    const names = (exported.json.timeline as { name: string }[]).map((e) => e.name);
    expect(names).toEqual(
      expect.arrayContaining(['contact.created', 'form.submitted', 'email.sent', 'segment.entered']),
    );
    expect(exported.json.messages).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ template: 'welcome', status: 'sent', messageId: expect.any(String) }),
      ]),
    );
    expect(exported.json.segments).toEqual([expect.objectContaining({ segmentId })]);
    const onboarding = (exported.json.enrollments as Record<string, any>[]).find((e) => e.journeyId === 'onboarding');
    expect(onboarding?.path?.steps.length).toBeGreaterThan(2);
    expect(exported.json.consents.topics).toHaveLength(2);
    expect(exported.json.scores.lead).toBeDefined();

    // A year of journey time is 36 s here: the hold is still running when the erase starts.
    const running = await sfn.send(new DescribeExecutionCommand({ executionArn: held?.executionArn }));
    expect(running.status).toBe('RUNNING');

    // The erase, through the CLI's command, which follows it until it is done.
    const lines: string[] = [];
    const api = createApiClient(stack.api, stack.adminToken);
    const code = await contactsCommand(
      api,
      'erase',
      [contactId],
      { wait: true, waitMs: 60_000, print: (l) => lines.push(l) },
      usage,
    );
    expect(code).toBe(0);
    const requestId = lines[0]?.match(/erase requested: (pr-[\w-]+):/)?.[1] ?? '';
    expect(lines.at(-1)).toMatch(new RegExp(`^erased: ${requestId}: done at .*; removed .*contact 1`));
    const request = await adminCall('GET', `/api/privacy/requests/${requestId}`);
    expect(request.json).toEqual({
      requestId,
      status: 'done',
      requestedAt: expect.any(String),
      doneAt: expect.any(String),
      removed: expect.objectContaining({
        contact: 1,
        identity: 2,
        event: expect.any(Number),
        'segment-member': 1,
        inbox: 2,
      }),
    });

    // Its running execution was stopped; the contact API knows the person by nothing.
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn: held?.executionArn }));
    expect(execution.status).toBe('ABORTED');
    expect((await getContact(email)).status).toBe(404);
    expect((await adminCall('GET', `/api/contacts?phone=${encodeURIComponent(phone)}`)).status).toBe(404);
    expect((await adminCall('GET', `/api/contacts/${contactId}/export`)).status).toBe(404);
    expect((await adminCall('GET', `/api/segments/${segmentId}`)).json.members).toBe(0);

    // Every item of the table, nested values and JSON text included, holds nothing of them.
    await drained();
    const items = await scanAll(db, { TableName: LOCAL_TABLE_NAME });
    const traces = items.filter((item) =>
      mentions(item, { contains: [email, contactId, firstName, lastName], equals: [phone] }),
    );
    expect(traces).toEqual([]);
    // Asked again: the same request, done; nobody by that id.
    const again = await adminCall('POST', `/api/contacts/${contactId}/erase`);
    expect(again).toMatchObject({ status: 202, json: { requestId, status: 'done' } });
    expect((await adminCall('POST', '/api/contacts/c-nobody/erase')).json.error.code).toBe('contact_not_found');
    expect((await adminCall('GET', '/api/privacy/requests/pr-nothing')).status).toBe(404);
  }, 90_000);
});
