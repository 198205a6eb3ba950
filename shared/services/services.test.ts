import { Webhook } from 'standardwebhooks';
import { beforeEach, describe, expect, it } from 'vitest';
import { createMemoryJourneys, createMemoryMail, createMemoryStore } from '#adapters/memory-store.ts';
import { HttpError } from '#domain/errors.ts';
import type { Clock } from '#ports/clock.ts';
import { getContactView, unsubscribeContact } from './contacts.ts';
import { endEnrollment } from './end-enrollment.ts';
import { ingestWebhook } from './ingest-webhook.ts';
import { type LiveJourney, processInboxRecord } from './process-inbox.ts';
import { sendJourneyEmail } from './send-email.ts';

const SECRET = 'whsec_dGVzdC1zZWNyZXQtZm9yLXRoZS1mb3Jt';
const clock: Clock = { now: () => new Date('2026-11-23T10:00:00Z') };
const onboarding: LiveJourney = {
  journeyId: 'onboarding',
  version: 1,
  trigger: { type: 'event', event: 'form.submitted', newContactsOnly: true },
};
const settings = {
  from: 'Shop <hi@shop.example>',
  publicUrl: 'https://api.shop.example',
  postalAddress: '1 Example Street',
  linkSecret: 's'.repeat(32),
};

function signedRequest(body: string, id = 'msg_1', secret = SECRET) {
  const ts = clock.now();
  return {
    sourceId: 'demo-form',
    webhookId: id,
    timestamp: String(Math.floor(ts.getTime() / 1000)),
    signature: new Webhook(secret).sign(id, ts, body),
    body: Buffer.from(body),
  };
}

async function refusal(promise: Promise<unknown>): Promise<{ status: number; code: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HttpError) return { status: error.statusCode, code: error.code };
    throw error;
  }
  throw new Error('expected a refusal');
}

let memory: ReturnType<typeof createMemoryStore>;
let journeys: ReturnType<typeof createMemoryJourneys>;
beforeEach(async () => {
  memory = createMemoryStore();
  journeys = createMemoryJourneys();
  await memory.store.putSource({
    sourceId: 'demo-form',
    name: 'Demo',
    kind: 'standard-webhooks',
    secret: SECRET,
    status: 'active',
  });
});
const deps = () => ({ store: memory.store, clock, journeys, liveJourneys: [onboarding] });

describe('ingestWebhook', () => {
  it('stores a verified form submission once and reports a replay as a duplicate', async () => {
    const req = signedRequest('{"email":"Ada@Example.com","firstName":"Ada"}');
    expect(await ingestWebhook(deps(), req)).toEqual({ kind: 'accepted', inboxId: 'demo-form:msg_1' });
    expect(await ingestWebhook(deps(), req)).toEqual({ kind: 'duplicate', inboxId: 'demo-form:msg_1' });
    expect(memory.sizes().inbox).toBe(1);
  });

  it.each([
    ['an unknown source', { sourceId: 'nope' }, 404, 'unknown_source'],
    ['a wrong signature', { signature: 'v1,AAAA' }, 401, 'bad_signature'],
    ['a stale timestamp', { timestamp: '1000' }, 401, 'stale_timestamp'],
  ])('refuses %s and stores nothing', async (_, override, status, code) => {
    const req = { ...signedRequest('{"email":"a@b.co"}'), ...override };
    expect(await refusal(ingestWebhook(deps(), req))).toEqual({ status, code });
    expect(memory.sizes().inbox).toBe(0);
  });

  it.each([
    ['malformed JSON', '{"email":', 400, 'malformed_json'],
    ['a payload without email', '{"firstName":"Ada"}', 422, 'invalid_payload'],
    ['an invalid email', '{"email":"not-an-email"}', 422, 'invalid_payload'],
    ['unknown top-level fields', '{"email":"a@b.co","admin":true}', 422, 'invalid_payload'],
  ])('refuses %s and stores nothing', async (_, body, status, code) => {
    expect(await refusal(ingestWebhook(deps(), signedRequest(body)))).toEqual({ status, code });
    expect(memory.sizes().inbox).toBe(0);
  });
});

describe('processInboxRecord', () => {
  const ingest = async (body: string, id = 'msg_1') => (await ingestWebhook(deps(), signedRequest(body, id))).inboxId;

  it('creates the contact, its timeline and one onboarding enrollment', async () => {
    const inboxId = await ingest('{"email":"Ada@Example.com","firstName":"Ada","fields":{"plan":"pro"}}');
    const outcome = await processInboxRecord(deps(), inboxId);
    expect(outcome).toMatchObject({ kind: 'processed', created: true });
    const view = await getContactView(memory.store, 'ada@example.com');
    expect(view?.contact).toMatchObject({ email: 'ada@example.com', firstName: 'Ada', properties: { plan: 'pro' } });
    expect(view?.timeline.map((e) => e.name).sort()).toEqual(['contact.created', 'form.submitted', 'journey.entered']);
    expect(view?.enrollments).toHaveLength(1);
    expect(view?.enrollments[0]).toMatchObject({ journeyId: 'onboarding', status: 'active' });
    expect(journeys.started).toHaveLength(1);
  });

  it('changes nothing when the same record is processed again', async () => {
    const inboxId = await ingest('{"email":"ada@example.com"}');
    await processInboxRecord(deps(), inboxId);
    const before = memory.sizes();
    expect(await processInboxRecord(deps(), inboxId)).toEqual({ kind: 'already-processed' });
    expect(memory.sizes()).toEqual(before);
    expect(journeys.started).toHaveLength(1);
  });

  it('enrolls once when a retry follows a crash after the contact was created', async () => {
    const inboxId = await ingest('{"email":"ada@example.com"}');
    const crashing = { ...deps(), journeys: { start: async () => Promise.reject(new Error('network down')) } };
    await expect(processInboxRecord(crashing, inboxId)).rejects.toThrow('network down');
    await processInboxRecord(deps(), inboxId);
    await processInboxRecord(deps(), inboxId);
    const view = await getContactView(memory.store, 'ada@example.com');
    expect(view?.enrollments).toHaveLength(1);
    expect(view?.enrollments[0]?.executionArn).toBeDefined();
    expect(journeys.started).toHaveLength(1);
    expect(memory.sizes().contacts).toBe(1);
  });

  it('does not enroll an existing contact again on a later form', async () => {
    await processInboxRecord(deps(), await ingest('{"email":"ada@example.com"}', 'msg_1'));
    const second = await processInboxRecord(
      deps(),
      await ingest('{"email":"ada@example.com","lastName":"L"}', 'msg_2'),
    );
    expect(second).toMatchObject({ kind: 'processed', created: false, enrollments: [] });
    const view = await getContactView(memory.store, 'ada@example.com');
    expect(view?.contact.lastName).toBe('L');
    expect(view?.timeline.filter((e) => e.name === 'form.submitted')).toHaveLength(2);
  });
});

describe('sendJourneyEmail', () => {
  const setup = async () => {
    const inboxId = (await ingestWebhook(deps(), signedRequest('{"email":"ada@example.com","firstName":"Ada"}')))
      .inboxId;
    const outcome = await processInboxRecord(deps(), inboxId);
    if (outcome.kind !== 'processed') throw new Error('not processed');
    return {
      contactId: outcome.contactId,
      enrollmentId: outcome.enrollments[0] as string,
      journeyId: 'onboarding',
      nodeId: 'welcome-email',
      template: 'welcome' as const,
    };
  };

  it('sends a personalised email with one-click unsubscribe headers, once per step', async () => {
    const req = await setup();
    const mail = createMemoryMail();
    const first = await sendJourneyEmail({ store: memory.store, mail, clock, settings }, req);
    const again = await sendJourneyEmail({ store: memory.store, mail, clock, settings }, req);
    expect(first).toEqual({ status: 'sent', messageId: 'm-1' });
    expect(again).toEqual({ status: 'already-sent', messageId: 'm-1' });
    expect(mail.sent).toHaveLength(1);
    const [email] = mail.sent;
    expect(email?.subject).toContain('Ada');
    const header = (name: string) => email?.headers.find((h) => h.name === name)?.value;
    expect(header('List-Unsubscribe')).toMatch(/^<https:\/\/api\.shop\.example\/unsubscribe\?c=.+&t=.+>$/);
    expect(header('List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    const view = await getContactView(memory.store, 'ada@example.com');
    expect(view?.timeline.filter((e) => e.name === 'email.sent')).toHaveLength(1);
  });

  it('skips an unsubscribed contact and records why', async () => {
    const req = await setup();
    expect(await unsubscribeContact(memory.store, req.contactId, clock.now().toISOString(), 'one-click')).toBe(
      'unsubscribed',
    );
    const mail = createMemoryMail();
    expect(await sendJourneyEmail({ store: memory.store, mail, clock, settings }, req)).toEqual({
      status: 'skipped',
      reason: 'unsubscribed',
    });
    expect(mail.sent).toHaveLength(0);
    const view = await getContactView(memory.store, 'ada@example.com');
    expect(view?.timeline.find((e) => e.name === 'email.skipped')?.data).toMatchObject({ reason: 'unsubscribed' });
    expect(view?.timeline.filter((e) => e.name === 'contact.unsubscribed')).toHaveLength(1);
  });

  it('ends an enrollment once', async () => {
    const req = await setup();
    const end = { ...req, nodeId: 'done', outcome: 'completed' as const };
    expect(await endEnrollment({ store: memory.store, clock }, end)).toEqual({ ended: true });
    expect(await endEnrollment({ store: memory.store, clock }, end)).toEqual({ ended: false });
    const view = await getContactView(memory.store, 'ada@example.com');
    expect(view?.enrollments[0]?.status).toBe('completed');
    expect(view?.timeline.filter((e) => e.name === 'journey.exited')).toHaveLength(1);
  });
});
