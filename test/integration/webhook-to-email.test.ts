import { randomUUID } from 'node:crypto';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { adminCall, emailsTo, eventually, getContact, postWebhook, sfn, stack, uniqueEmail } from '../support/local.ts';

const form = (email: string, firstName = 'Ada') => JSON.stringify({ email, firstName, fields: { plan: 'pro' } });
const names = (timeline: { name: string }[]) => timeline.map((e) => e.name);

describe('signed form webhook → contact → onboarding journey → email', () => {
  it('answers /health with the state of each local service', async () => {
    const res = await fetch(`${stack.api}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ok',
      services: {
        dynamodb: { status: 'ok' },
        ses: { status: 'ok' },
        stepfunctions: { status: 'ok' },
        table: { status: 'ok' },
      },
    });
  });

  it('turns a signed webhook into a contact, a timeline, an execution and both onboarding emails', async () => {
    const email = uniqueEmail('ada');
    const posted = await postWebhook({ body: form(email) });
    expect(posted.status).toBe(202);
    expect(posted.json).toEqual({ status: 'accepted', id: `demo-form:${posted.id}`, topic: 'form.submitted' });

    const welcome = await eventually('the welcome email', async () => (await emailsTo(email))[0]);
    expect(welcome.subject).toBe('Welcome to the shop, Ada!');
    expect(welcome.body.text).toContain('Hi Ada,');
    const header = (name: string) => welcome.headers?.find((h) => h.name === name)?.value;
    expect(header('List-Unsubscribe')).toMatch(
      new RegExp(`^<${stack.api}/unsubscribe\\?c=c-[^&]+&topic=product-news&t=[^>]+>$`),
    );
    expect(header('List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');

    const tips = await eventually('the tips email after the wait', async () => (await emailsTo(email))[1]);
    expect(tips.subject).toBe('Ada, three tips to get started');

    const view = await eventually('the completed enrollment', async () => {
      const { body } = await getContact(email);
      return body.enrollments?.[0]?.status === 'completed' && body.timeline.some((e) => e.name === 'journey.exited')
        ? body
        : undefined;
    });
    expect(view.contact).toMatchObject({ email, firstName: 'Ada' });
    expect(
      names(view.timeline)
        .filter((n) => n !== 'email.delivered')
        .sort(),
    ).toEqual(
      ['contact.created', 'email.sent', 'email.sent', 'form.submitted', 'journey.entered', 'journey.exited'].sort(),
    );
    // The SES events the local stack publishes land on the timeline as they would on AWS.
    const delivered = await eventually('both deliveries', async () => {
      const { body } = await getContact(email);
      const found = body.timeline.filter((e) => e.name === 'email.delivered');
      return found.length === 2 ? found : undefined;
    });
    expect(delivered.map((e) => e.data.template).sort()).toEqual(['tips', 'welcome']);
    const sent = view.timeline.filter((e) => e.name === 'email.sent').map((e) => e.data.template);
    expect(sent.sort()).toEqual(['tips', 'welcome']);

    const enrollment = view.enrollments[0];
    expect(enrollment?.executionArn).toBeDefined();
    // The exit step records the end just before the execution itself finishes.
    const execution = await eventually('the finished execution', async () => {
      const out = await sfn.send(new DescribeExecutionCommand({ executionArn: enrollment?.executionArn }));
      return out.status === 'RUNNING' ? undefined : out;
    });
    expect(execution.status).toBe('SUCCEEDED');
    // The execution ran the published version, through its version ARN.
    expect(execution.stateMachineVersionArn).toMatch(/:stateMachine:tend-onboarding:\d+$/);
    expect(JSON.parse(execution.input ?? '{}')).toMatchObject({
      contactId: view.contact.contactId,
      journeyId: 'onboarding',
    });
  });

  it('applies a webhook-id replayed three times once: one contact, one enrollment, one welcome email', async () => {
    const email = uniqueEmail('replay');
    const body = form(email, 'Rita');
    const first = await postWebhook({ id: 'msg_replayed_1', body: body.replace('Rita', 'Rita') });
    const id = `msg_replay_${email}`;
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await postWebhook({ id, body })).status);
    expect(first.status).toBe(202);
    expect(statuses).toEqual([202, 200, 200]);

    const view = await eventually('the completed enrollment', async () => {
      const { body: v } = await getContact(email);
      return v.enrollments?.[0]?.status === 'completed' && v.timeline.some((e) => e.name === 'journey.exited')
        ? v
        : undefined;
    });
    // The first post with another id for the same email was a separate delivery: it counts once too.
    expect(view.enrollments).toHaveLength(1);
    const welcomes = (await emailsTo(email)).filter((e) => e.subject.startsWith('Welcome'));
    expect(welcomes).toHaveLength(1);
    expect(names(view.timeline).filter((n) => n === 'form.submitted')).toHaveLength(2);
    expect(names(view.timeline).filter((n) => n === 'contact.created')).toHaveLength(1);
  });

  it('skips later marketing mail to a contact who unsubscribed with one click, and records it', async () => {
    const email = uniqueEmail('unsub');
    await postWebhook({ body: form(email, 'Uma') });
    const welcome = await eventually('the welcome email', async () => (await emailsTo(email))[0]);
    const link = welcome.headers?.find((h) => h.name === 'List-Unsubscribe')?.value.slice(1, -1) ?? '';
    await eventually('the completed enrollment', async () => {
      const { body } = await getContact(email);
      return body.enrollments?.[0]?.status === 'completed' && body.timeline.some((e) => e.name === 'journey.exited')
        ? body
        : undefined;
    });

    const res = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(res.status).toBe(200);
    const forged = await fetch(link.replace(/t=[^&]+/, 't=forged'), {
      method: 'POST',
      body: 'List-Unsubscribe=One-Click',
    });
    expect(forged.status).toBe(400);

    // A later journey sends one email on the topic left and one on another topic.
    const tag = randomUUID().slice(0, 8);
    const id = `it-unsub-${tag}`;
    const later = {
      schemaVersion: 1,
      id,
      name: 'Later marketing',
      triggers: [{ type: 'event', event: 'form.submitted', where: [{ path: 'fields.itUnsub', op: 'eq', value: tag }] }],
      start: 'news',
      nodes: {
        news: { type: 'send-email', template: 'tips', next: 'offer' },
        offer: { type: 'send-email', template: 'nurture-offer', next: 'done' },
        done: { type: 'exit' },
      },
    };
    expect((await adminCall('PUT', `/api/journeys/${id}`, later)).status).toBe(200);
    expect((await adminCall('POST', `/api/journeys/${id}/publish`)).status).toBe(201);
    await postWebhook({ body: JSON.stringify({ email, fields: { itUnsub: tag } }) });
    const view = await eventually('the later journey done', async () => {
      const { body } = await getContact(email);
      return body.enrollments.some((e) => e.journeyId === id && e.status === 'completed') ? body : undefined;
    });
    expect(names(view.timeline)).toContain('contact.unsubscribed');
    const outcome = (name: string) =>
      view.timeline
        .filter((e) => e.name === name && e.data.journeyId === id)
        .map((e) => [e.data.template, e.data.reason]);
    // One-click left "product-news" (the welcome email's topic), not the "offers" topic.
    expect(outcome('email.skipped')).toEqual([['tips', 'topic-unsubscribed']]);
    expect(outcome('email.sent')).toEqual([['nurture-offer', undefined]]);
    expect(await emailsTo(email)).toHaveLength(3);
  });

  it('suppresses an address that hard-bounces and skips the next email to it', async () => {
    const email = `bounce+${Date.now()}@simulator.amazonses.com`;
    await postWebhook({ body: form(email, 'Bo') });
    const view = await eventually('the completed enrollment', async () => {
      const { body } = await getContact(email);
      return body.enrollments?.[0]?.status === 'completed' && body.timeline.some((e) => e.name === 'journey.exited')
        ? body
        : undefined;
    });
    const bounced = view.timeline.find((e) => e.name === 'email.bounced');
    expect(bounced?.data).toMatchObject({ bounceType: 'Permanent', suppressed: true, template: 'welcome' });
    const skipped = view.timeline.filter((e) => e.name === 'email.skipped');
    expect(skipped.map((e) => [e.data.template, e.data.reason])).toEqual([['tips', 'suppressed']]);
    expect(await emailsTo(email)).toHaveLength(1);
  });
});
