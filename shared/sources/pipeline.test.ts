import { Webhook } from 'standardwebhooks';
import { beforeEach, describe, expect, it } from 'vitest';
import { getContactView } from '#contacts/contact-view.ts';
import type { Clock } from '#core/clock.ts';
import { CodedError } from '#core/errors.ts';
import { endEnrollment } from '#journeys/end-enrollment.ts';
import { publishJourney } from '#journeys/lifecycle.ts';
import { createMemoryJourneys } from '#journeys/memory-runtime.ts';
import { recordEmailEvent } from '#messaging/email-events.ts';
import type { MailSender } from '#messaging/mail.ts';
import { createMemoryMail } from '#messaging/memory-mail.ts';
import { unsubscribe, updatePreferences } from '#messaging/preferences.ts';
import { CONFIRMATION_WAIT_MS, sendJourneyEmail } from '#messaging/send-email.ts';
import { builtInCompiled, builtInTemplateIds } from '#messaging/templating/compiled-built-ins.ts';
import { renderCompiled } from '#messaging/templating/render.ts';
import type { CompiledTemplate } from '#messaging/templating/template.schema.ts';
import { createLocalSecretBox } from '#platform/local-secret-box.ts';
import { createMemoryStore } from '#platform/memory-store.ts';
import { ingestWebhook } from './ingest-webhook.ts';
import { processInboxRecord } from './process-inbox.ts';
import { ensureSource } from './sources.ts';

const SECRET = 'whsec_dGVzdC1zZWNyZXQtZm9yLXRoZS1mb3Jt';
const secretBox = createLocalSecretBox('unit-test-secret-key');
const clock: Clock = { now: () => new Date('2026-11-23T10:00:00Z') };
const settings = {
  senderName: 'Shop',
  defaultTimeZone: 'Europe/Paris',
  from: 'Shop <hi@shop.example>',
  publicUrl: 'https://api.shop.example',
  postalAddress: '1 Example Street',
  linkSecret: 's'.repeat(32),
};

function signedRequest(body: string, id = 'msg_1', secret = SECRET, overrides: Record<string, string> = {}) {
  const ts = clock.now();
  const headers: Record<string, string> = {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(ts.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, ts, body),
    ...overrides,
  };
  return { sourceId: 'demo-form', header: (name: string) => headers[name], body: Buffer.from(body) };
}

async function refusal(promise: Promise<unknown>): Promise<{ kind: string; code: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CodedError) return { kind: error.kind, code: error.code };
    throw error;
  }
  throw new Error('expected a refusal');
}

let memory: ReturnType<typeof createMemoryStore>;
let journeys: ReturnType<typeof createMemoryJourneys>;
beforeEach(async () => {
  memory = createMemoryStore();
  journeys = createMemoryJourneys();
  await ensureSource(
    { store: memory.store, clock, secretBox },
    { sourceId: 'demo-form', name: 'Demo', kind: 'standard-webhooks', secret: SECRET },
  );
  await publishJourney(
    {
      store: memory.store,
      runtime: journeys,
      clock,
      targets: { sendEmail: 'send-email', endEnrollment: 'end-enrollment', journeyStep: 'journey-step' },
      validationContext: async () => ({ templates: builtInTemplateIds }),
    },
    'onboarding',
    'test',
  );
});
const deps = () => ({ store: memory.store, clock, secretBox, runtime: journeys });
const deps_ = deps;

describe('ingestWebhook', () => {
  it('stores a verified form submission once and reports a replay as a duplicate', async () => {
    const req = signedRequest('{"email":"Ada@Example.com","firstName":"Ada"}');
    expect(await ingestWebhook(deps(), req)).toEqual({
      kind: 'accepted',
      inboxId: 'demo-form:msg_1',
      topic: 'form.submitted',
    });
    expect(await ingestWebhook(deps(), req)).toMatchObject({ kind: 'duplicate', inboxId: 'demo-form:msg_1' });
    expect(memory.sizes().inbox).toBe(1);
  });

  it.each([
    ['an unknown source', { sourceId: 'nope' }, {}, 'not-found', 'unknown_source'],
    ['a wrong signature', {}, { 'webhook-signature': 'v1,AAAA' }, 'unauthorized', 'bad_signature'],
    ['a stale timestamp', {}, { 'webhook-timestamp': '1000' }, 'unauthorized', 'stale_timestamp'],
  ])('refuses %s and stores nothing', async (_, override, headers, kind, code) => {
    const req = { ...signedRequest('{"email":"a@b.co"}', 'msg_1', SECRET, headers), ...override };
    expect(await refusal(ingestWebhook(deps(), req))).toEqual({ kind, code });
    expect(memory.sizes().inbox).toBe(0);
  });

  it.each([
    ['malformed JSON', '{"email":', 'invalid', 'malformed_json'],
    ['a payload without email', '{"firstName":"Ada"}', 'unprocessable', 'invalid_payload'],
    ['an invalid email', '{"email":"not-an-email"}', 'unprocessable', 'invalid_payload'],
    ['unknown top-level fields', '{"email":"a@b.co","admin":true}', 'unprocessable', 'invalid_payload'],
  ])('refuses %s and stores nothing', async (_, body, kind, code) => {
    expect(await refusal(ingestWebhook(deps(), signedRequest(body)))).toEqual({ kind, code });
    expect(memory.sizes().inbox).toBe(0);
  });
});

describe('processInboxRecord', () => {
  const ingest = async (body: string, id = 'msg_1') => (await ingestWebhook(deps(), signedRequest(body, id))).inboxId;

  it('creates the contact, its timeline and one onboarding enrollment', async () => {
    const inboxId = await ingest('{"email":"Ada@Example.com","firstName":"Ada","fields":{"plan":"pro"}}');
    const outcome = await processInboxRecord(deps(), inboxId);
    expect(outcome).toMatchObject({ kind: 'processed', events: [{ created: true }] });
    const view = await getContactView(memory.store, { kind: 'email', value: 'ada@example.com' });
    expect(view?.contact).toMatchObject({ email: 'ada@example.com', firstName: 'Ada', properties: { plan: 'pro' } });
    expect(view?.timeline.map((e) => e.name).sort()).toEqual(['contact.created', 'form.submitted', 'journey.entered']);
    expect(view?.enrollments).toHaveLength(1);
    expect(view?.enrollments[0]).toMatchObject({ journeyId: 'onboarding', status: 'active' });
    expect(journeys.started).toHaveLength(1);
  });

  it('changes nothing when the same record is processed again', async () => {
    const inboxId = await ingest('{"email":"ada@example.com"}');
    const first = await processInboxRecord(deps(), inboxId);
    const before = memory.sizes();
    expect(await processInboxRecord(deps(), inboxId)).toEqual(first);
    expect(memory.sizes()).toEqual(before);
    expect(journeys.started).toHaveLength(1);
  });

  it('enrolls once when a retry follows a crash after the contact was created', async () => {
    const inboxId = await ingest('{"email":"ada@example.com"}');
    const crashing = {
      ...deps(),
      runtime: { ...journeys, start: async () => Promise.reject(new Error('network down')) },
    };
    await expect(processInboxRecord(crashing, inboxId)).rejects.toThrow('network down');
    await processInboxRecord(deps(), inboxId);
    await processInboxRecord(deps(), inboxId);
    const view = await getContactView(memory.store, { kind: 'email', value: 'ada@example.com' });
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
    expect(second).toMatchObject({ kind: 'processed', events: [{ created: false, enrollments: [] }] });
    const view = await getContactView(memory.store, { kind: 'email', value: 'ada@example.com' });
    expect(view?.contact.lastName).toBe('L');
    expect(view?.timeline.filter((e) => e.name === 'form.submitted')).toHaveLength(2);
  });
});

const welcome = (await builtInCompiled('welcome')) as CompiledTemplate;

describe('sendJourneyEmail', () => {
  const receipt: CompiledTemplate = { ...welcome, id: 'receipt', kind: 'transactional', topic: undefined };
  const catalog = { getCompiled: async (id: string) => ({ welcome, receipt })[id as 'welcome' | 'receipt'] };
  let now = clock.now();
  const movingClock: Clock = { now: () => now };
  const deps = (mail: MailSender) => ({
    store: memory.store,
    templates: catalog,
    render: renderCompiled,
    mail,
    clock: movingClock,
    settings,
  });
  const setup = async (email = 'ada@example.com') => {
    now = clock.now();
    const body = `{"email":"${email}","firstName":"Ada"}`;
    const inboxId = (await ingestWebhook(deps_(), signedRequest(body, `msg_${email}`))).inboxId;
    const outcome = await processInboxRecord(deps_(), inboxId);
    if (outcome.kind !== 'processed' || !outcome.events[0]) throw new Error('not processed');
    return {
      contactId: outcome.events[0].contactId,
      enrollmentId: outcome.events[0].enrollments[0] as string,
      journeyId: 'onboarding',
      nodeId: 'welcome-email',
      template: 'welcome',
    };
  };
  const timeline = async (email = 'ada@example.com') =>
    (await getContactView(memory.store, { kind: 'email', value: email }))?.timeline ?? [];

  it('sends a personalised email with one-click unsubscribe headers and SES tags, once per step', async () => {
    const req = await setup();
    const mail = createMemoryMail();
    const first = await sendJourneyEmail(deps(mail), req);
    const again = await sendJourneyEmail(deps(mail), req);
    expect(first).toEqual({ status: 'sent', messageId: 'm-1', locale: 'en' });
    expect(again).toEqual({ status: 'already-sent', messageId: 'm-1' });
    expect(mail.sent).toHaveLength(1);
    const [email] = mail.sent;
    expect(email?.subject).toBe('Welcome to the shop, Ada!');
    expect(email?.html).toContain(settings.postalAddress);
    const header = (name: string) => email?.headers.find((h) => h.name === name)?.value;
    expect(header('List-Unsubscribe')).toMatch(
      /^<https:\/\/api\.shop\.example\/unsubscribe\?c=.+&topic=product-news&t=.+>$/,
    );
    expect(header('List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(email?.tags).toEqual({
      contactId: req.contactId,
      enrollment: req.enrollmentId,
      node: 'welcome-email',
      template: 'welcome',
    });
    expect((await timeline()).filter((e) => e.name === 'email.sent')).toHaveLength(1);
  });

  it('skips marketing mail after a topic unsubscribe and records why, but transactional mail still goes', async () => {
    const req = await setup();
    expect(
      await unsubscribe(memory.store, {
        contactId: req.contactId,
        topic: 'product-news',
        at: now.toISOString(),
        method: 'one-click',
      }),
    ).toBe('unsubscribed');
    const mail = createMemoryMail();
    expect(await sendJourneyEmail(deps(mail), req)).toEqual({ status: 'skipped', reason: 'topic-unsubscribed' });
    expect(await sendJourneyEmail(deps(mail), { ...req, nodeId: 'receipt', template: 'receipt' })).toMatchObject({
      status: 'sent',
    });
    expect(mail.sent).toHaveLength(1);
    expect(mail.sent[0]?.headers).toEqual([]);
    const events = await timeline();
    expect(events.find((e) => e.name === 'email.skipped')?.data).toMatchObject({
      reason: 'topic-unsubscribed',
      template: 'welcome',
    });
    expect(events.filter((e) => e.name === 'contact.unsubscribed')).toHaveLength(1);
  });

  it('skips every marketing topic after leaving all marketing mail in the preference centre', async () => {
    const req = await setup();
    await updatePreferences(memory.store, {
      contactId: req.contactId,
      choice: { topics: {}, all: true },
      at: now.toISOString(),
    });
    expect(await sendJourneyEmail(deps(createMemoryMail()), req)).toEqual({
      status: 'skipped',
      reason: 'unsubscribed',
    });
  });

  it('suppresses a hard-bounced address and skips the next send, transactional too', async () => {
    const req = await setup();
    const mail = createMemoryMail();
    await sendJourneyEmail(deps(mail), req);
    const outcome = await recordEmailEvent(
      { store: memory.store },
      {
        eventType: 'Bounce',
        mail: { messageId: 'm-1', timestamp: now.toISOString(), destination: ['ada@example.com'] },
        bounce: {
          bounceType: 'Permanent',
          bouncedRecipients: [{ emailAddress: 'ada@example.com' }],
          timestamp: now.toISOString(),
          feedbackId: 'f-1',
        },
      },
    );
    expect(outcome).toMatchObject({ suppressed: ['ada@example.com'], timeline: 1 });
    expect(await sendJourneyEmail(deps(mail), { ...req, nodeId: 'tips-email', template: 'welcome' })).toEqual({
      status: 'skipped',
      reason: 'suppressed',
    });
    expect(await sendJourneyEmail(deps(mail), { ...req, nodeId: 'receipt', template: 'receipt' })).toEqual({
      status: 'skipped',
      reason: 'suppressed',
    });
    expect(mail.sent).toHaveLength(1);
    expect((await timeline()).find((e) => e.name === 'email.bounced')?.data).toMatchObject({
      bounceType: 'Permanent',
      suppressed: true,
    });
  });

  it('sends once when the task is retried after a crash between SES accepting and the record', async () => {
    const req = await setup();
    const mail = createMemoryMail();
    const crashing: MailSender = {
      send: async (email) => {
        await mail.send(email);
        throw new Error('process died after SES accepted');
      },
    };
    await expect(sendJourneyEmail(deps(crashing), req)).rejects.toThrow('process died');
    // The retry comes before SES has reported: it waits instead of sending again.
    await expect(sendJourneyEmail(deps(mail), req)).rejects.toMatchObject({ name: 'TransientError' });
    // SES's Send event (tagged with the send) arrives and records the send.
    await recordEmailEvent(
      { store: memory.store },
      {
        eventType: 'Send',
        mail: {
          messageId: 'm-1',
          timestamp: now.toISOString(),
          destination: ['ada@example.com'],
          tags: { contactId: [req.contactId], enrollment: [req.enrollmentId], node: ['welcome-email'] },
        },
      },
    );
    expect(await sendJourneyEmail(deps(mail), req)).toEqual({ status: 'already-sent', messageId: 'm-1' });
    expect(mail.sent).toHaveLength(1);
  });

  it('sends again when an earlier attempt stays unconfirmed past the wait', async () => {
    const req = await setup();
    const mail = createMemoryMail();
    await expect(
      sendJourneyEmail(deps({ send: async () => Promise.reject(new Error('SES down')) }), req),
    ).rejects.toThrow();
    now = new Date(now.getTime() + CONFIRMATION_WAIT_MS + 1);
    expect(await sendJourneyEmail(deps(mail), req)).toMatchObject({ status: 'sent' });
    expect(mail.sent).toHaveLength(1);
  });

  it('defers a send in quiet hours and a third journey email in a day, and records both', async () => {
    const req = await setup();
    const quietHours = { start: '21:00', end: '08:00', fallback: 'defer' as const };
    // 23:00 in Paris, the contact's (default) time zone; 08:00 there is 07:00 UTC.
    now = new Date('2026-11-23T22:00:00Z');
    expect(await sendJourneyEmail(deps(createMemoryMail()), { ...req, quietHours })).toEqual({
      status: 'deferred',
      until: '2026-11-24T07:00:00.000Z',
      reason: 'quiet-hours',
    });
    const mail = createMemoryMail();
    const frequencyCap = { max: 2, periodHours: 24 };
    now = new Date('2026-11-24T09:00:00Z');
    expect(await sendJourneyEmail(deps(mail), { ...req, frequencyCap })).toMatchObject({ status: 'sent' });
    now = new Date('2026-11-24T10:00:00Z');
    expect(await sendJourneyEmail(deps(mail), { ...req, nodeId: 'tips-email', frequencyCap })).toMatchObject({
      status: 'sent',
    });
    now = new Date('2026-11-24T11:00:00Z');
    expect(await sendJourneyEmail(deps(mail), { ...req, nodeId: 'third', frequencyCap })).toEqual({
      status: 'deferred',
      until: '2026-11-25T09:00:01.000Z',
      reason: 'frequency-cap',
    });
    expect(mail.sent).toHaveLength(2);
    const deferred = (await timeline()).filter((e) => e.name === 'email.deferred').map((e) => e.data.reason);
    expect(deferred.sort()).toEqual(['frequency-cap', 'quiet-hours']);
  });

  it('ends an enrollment once', async () => {
    const req = await setup();
    const end = { ...req, nodeId: 'done', outcome: 'completed' as const };
    expect(await endEnrollment({ store: memory.store, clock }, end)).toEqual({ ended: true });
    expect(await endEnrollment({ store: memory.store, clock }, end)).toEqual({ ended: false });
    const view = await getContactView(memory.store, { kind: 'email', value: 'ada@example.com' });
    expect(view?.enrollments[0]?.status).toBe('completed');
    expect(view?.timeline.filter((e) => e.name === 'journey.exited')).toHaveLength(1);
  });
});
