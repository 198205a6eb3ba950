import { randomUUID } from 'node:crypto';
import { DescribeExecutionCommand, ExecutionDoesNotExist, GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { LOCAL_TABLE_NAME } from '../../infra/local/table.ts';
import {
  adminCall,
  db,
  drained,
  emailsTo,
  eventually,
  getContact,
  postWebhook,
  sfn,
  stack,
  uniqueEmail,
} from '../support/local.ts';

/**
 * Journeys on the local stack: publishing versions while contacts wait, the abandoned cart with
 * real webhooks, exits reaching contacts wherever they wait, and the API's refusals.
 */

const form = (email: string, fields: Record<string, unknown>) =>
  postWebhook({ body: JSON.stringify({ email, fields }) });
/** A canonical event through the demo Standard Webhooks source. */
async function event(email: string, type: string, data: Record<string, unknown>) {
  const posted = await postWebhook({ body: JSON.stringify({ type, data: { email, ...data } }) });
  expect(posted.status, JSON.stringify(posted.json)).toBe(202);
  return posted;
}
const item = (name: string, quantity: number) => ({
  name,
  quantity,
  unitPrice: { amountMinor: 4450, currency: 'EUR' },
});

const enrollmentIn = async (
  email: string,
  journeyId: string,
  predicate: (e: Record<string, any>) => boolean = (e) => Boolean(e.executionArn),
) =>
  eventually(`${email} in ${journeyId}`, async () => {
    const { body } = await getContact(email);
    return (body.enrollments as Record<string, any>[] | undefined)?.find(
      (e) => e.journeyId === journeyId && predicate(e),
    );
  });

const describeExecution = (executionArn: string) => sfn.send(new DescribeExecutionCommand({ executionArn }));

/**
 * Waits until the enrollment's wait-for-event has registered its waiter (an event posted before
 * that, in the same second as the wait began, could be missed: webhook times have whole seconds).
 */
const registeredFor = (enrollment: Record<string, any>, event: string) =>
  eventually(`${enrollment.enrollmentId} waiting for ${event}`, async () => {
    const out = await db.send(
      new QueryCommand({
        TableName: LOCAL_TABLE_NAME,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: {
          ':pk': `CONTACT#${enrollment.contactId}`,
          // Waiters are kept with their enrollment (shared/journeys/dynamo-journeys.ts).
          ':prefix': `ENROLLMENT#${enrollment.enrollmentId}#WAITER#${event}#`,
        },
        ConsistentRead: true,
      }),
    );
    return (out.Items ?? []).length > 0 ? true : undefined;
  });

/** Waits until the execution has entered `state` (a node id) and is still running there. */
const waitingIn = (executionArn: string, state: string) =>
  eventually(`${executionArn} waiting in ${state}`, async () => {
    try {
      const { events = [] } = await sfn.send(
        new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 100 }),
      );
      const last = events.find((e) => e.type?.endsWith('StateEntered'));
      return last?.stateEnteredEventDetails?.name === state ? true : undefined;
    } catch (error) {
      // Written with the enrollment, the execution may not have started yet.
      if (error instanceof ExecutionDoesNotExist) return undefined;
      throw error;
    }
  });

function testJourney(id: string, tag: string, template: string) {
  return {
    schemaVersion: 1,
    id,
    name: 'Versions under test',
    triggers: [
      { type: 'event', event: 'form.submitted', where: [{ path: 'fields.itVersions', op: 'eq', value: tag }] },
    ],
    start: 'wait',
    nodes: {
      // Held until the test releases the contact with an NPS answer (a year is 36 seconds here),
      // so version 2 is published while the contact is surely inside version 1.
      wait: {
        type: 'wait-for-event',
        event: 'nps.responded',
        timeout: { days: 365 },
        next: 'send',
        onTimeout: 'timed-out',
      },
      send: { type: 'send-email', template, next: 'done' },
      done: { type: 'exit' },
      'timed-out': { type: 'exit' },
    },
  };
}

describe('journey versions', () => {
  it('lets contacts inside version 1 finish on it while new entries take version 2, and keeps both in the history', async () => {
    const tag = randomUUID().slice(0, 8);
    const id = `it-versions-${tag}`;
    expect((await adminCall('PUT', `/api/journeys/${id}`, testJourney(id, tag, 'nurture-story'))).status).toBe(200);
    const v1 = await adminCall('POST', `/api/journeys/${id}/publish`);
    expect(v1.status).toBe(201);
    expect(v1.json).toMatchObject({
      version: 1,
      versionArn: expect.stringMatching(new RegExp(`:stateMachine:tend-${id}:1$`)),
    });

    const early = uniqueEmail('v1');
    await form(early, { itVersions: tag });
    const first = await enrollmentIn(early, id);
    expect(first.journeyVersion).toBe(1);

    expect((await adminCall('PUT', `/api/journeys/${id}`, testJourney(id, tag, 'cross-sell'))).status).toBe(200);
    const v2 = await adminCall('POST', `/api/journeys/${id}/publish`);
    expect(v2.json).toMatchObject({ version: 2, diff: ['node "send": template "nurture-story" → "cross-sell"'] });

    const late = uniqueEmail('v2');
    await form(late, { itVersions: tag });
    const second = await enrollmentIn(late, id);
    expect(second.journeyVersion).toBe(2);
    // Still waiting inside version 1 when version 2 went live.
    await registeredFor(first, 'nps.responded');
    await registeredFor(second, 'nps.responded');
    for (const email of [early, late]) await event(email, 'nps.responded', { score: 9 });

    const sentBy = async (email: string) =>
      eventually(`${email}'s journey email`, async () => {
        const { body } = await getContact(email);
        const sent = body.timeline.filter((e) => e.name === 'email.sent' && e.data.journeyId === id);
        return sent.length > 0 ? sent.map((e) => e.data.template) : undefined;
      });
    expect(await sentBy(early)).toEqual(['nurture-story']);
    expect(await sentBy(late)).toEqual(['cross-sell']);
    expect((await describeExecution(first.executionArn)).stateMachineVersionArn).toMatch(/:1$/);
    expect((await describeExecution(second.executionArn)).stateMachineVersionArn).toMatch(/:2$/);

    const history = await adminCall('GET', `/api/journeys/${id}/versions`);
    expect(
      history.json.versions.map((v: { version: number; publishedBy: string }) => [v.version, v.publishedBy]),
    ).toEqual([
      [2, 'admin token'],
      [1, 'admin token'],
    ]);
    expect(history.json.versions[0].diff).toEqual(['node "send": template "nurture-story" → "cross-sell"']);
    expect(history.json.versions[1].diff).toEqual(['first version: 4 nodes, 1 trigger(s)']);

    // Re-entry "never" (the default): the same contact submitting again does not enter twice.
    await form(early, { itVersions: tag });
    await drained();
    const { body } = await getContact(early);
    expect(body.enrollments.filter((e) => e.journeyId === id)).toHaveLength(1);
  });

  it('pauses entries without stopping anyone inside, resumes them, and archives for good', async () => {
    const tag = randomUUID().slice(0, 8);
    const id = `it-pause-${tag}`;
    await adminCall('PUT', `/api/journeys/${id}`, testJourney(id, tag, 'tips'));
    await adminCall('POST', `/api/journeys/${id}/publish`);
    const inside = uniqueEmail('inside');
    await form(inside, { itVersions: tag });
    const enrollment = await enrollmentIn(inside, id);

    expect((await adminCall('POST', `/api/journeys/${id}/pause`)).json.journey.status).toBe('paused');
    const kept = uniqueEmail('paused');
    await form(kept, { itVersions: tag });
    await drained();
    expect((await getContact(kept)).body.timeline?.some((e) => e.name === 'form.submitted')).toBe(true);
    expect((await getContact(kept)).body.enrollments.filter((e) => e.journeyId === id)).toEqual([]);
    // The contact inside finishes.
    await registeredFor(enrollment, 'nps.responded');
    await event(inside, 'nps.responded', { score: 9 });
    await enrollmentIn(inside, id, (e) => e.status === 'completed');
    // The exit step records the end just before the execution itself finishes.
    const finished = await eventually('the finished execution', async () => {
      const out = await describeExecution(enrollment.executionArn);
      return out.status === 'RUNNING' ? undefined : out.status;
    });
    expect(finished).toBe('SUCCEEDED');

    expect((await adminCall('POST', `/api/journeys/${id}/resume`)).json.journey.status).toBe('live');
    expect((await adminCall('POST', `/api/journeys/${id}/archive`)).json.journey.status).toBe('archived');
    const again = await adminCall('POST', `/api/journeys/${id}/publish`);
    expect(again.status).toBe(409);
    expect(again.json.error.message).toContain('archived');
  });

  it('refuses to publish a journey with violations, naming each node and fix, and writes nothing', async () => {
    const id = `it-invalid-${randomUUID().slice(0, 8)}`;
    const doc = {
      ...testJourney(id, 'x', 'welcome'),
      nodes: { wait: { type: 'wait', duration: { days: 1 }, next: 'gone' } },
    };
    const saved = await adminCall('PUT', `/api/journeys/${id}`, doc);
    expect(saved.status).toBe(200);
    expect(saved.json.violations).toContainEqual(
      expect.objectContaining({ nodeId: 'wait', path: '$.nodes.wait.next', message: expect.stringContaining('Fix:') }),
    );
    const published = await adminCall('POST', `/api/journeys/${id}/publish`);
    expect(published.status).toBe(422);
    expect(published.json.error.details).toContainEqual(expect.objectContaining({ nodeId: 'wait' }));
    expect((await adminCall('GET', `/api/journeys/${id}/versions`)).json.versions).toEqual([]);
    expect((await adminCall('GET', `/api/journeys/${id}`)).json.status).toBe('draft');

    const garbage = await adminCall('PUT', `/api/journeys/${id}`, { schemaVersion: 2 });
    expect(garbage.status).toBe(422);
    expect(garbage.json.error.code).toBe('invalid_journey');
  });

  it('serves its OpenAPI document', async () => {
    const res = await fetch(`${stack.api}/api/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/journeys/{id}/publish', '/api/journeys/{id}/backtest']),
    );
  });
});

describe('abandoned cart, end to end (an hour is three seconds here)', () => {
  it('stops the reminder when the same cart is ordered within the hour, but not for another cart', async () => {
    const bought = uniqueEmail('cart-bought');
    const cart = `cart-${randomUUID().slice(0, 8)}`;
    await event(bought, 'checkout.started', { cartId: cart, lineItems: [item('Linen throw', 1)] });
    await event(bought, 'order.placed', {
      orderId: `o-${cart}`,
      cartId: cart,
      total: { amountMinor: 8900, currency: 'EUR' },
    });

    const other = uniqueEmail('cart-other');
    const otherCart = `cart-${randomUUID().slice(0, 8)}`;
    await event(other, 'checkout.started', { cartId: otherCart, lineItems: [item('Oak tray', 2)] });
    await event(other, 'order.placed', {
      orderId: `o-${otherCart}`,
      cartId: `${otherCart}-different`,
      total: { amountMinor: 1500, currency: 'EUR' },
    });

    const done = await enrollmentIn(bought, 'abandoned-cart', (e) => e.status !== 'active');
    // The journey's goal (an order within 7 days) counts the conversion; the goal node then ends it.
    expect(done).toMatchObject({ status: 'completed', exitReason: 'goal', conversion: { goal: 'order.placed' } });
    const reminder = await eventually('the reminder for the other cart', async () =>
      (await emailsTo(other)).find((m) => m.subject === 'You left something in your cart'),
    );
    expect(reminder.body.text).toContain('Oak tray');
    expect((await emailsTo(bought)).filter((m) => m.subject.includes('cart'))).toEqual([]);

    // The contact page explains its scores: one order of 89.00 EUR today.
    const { body } = await getContact(bought);
    const scores = (body as unknown as { scores: Record<string, any> }).scores;
    expect(scores.rfm).toMatchObject({ orders: 1, recency: 5, frequency: 1, segment: 'new' });
    expect(scores.rfm.explanation.join(' ')).toContain('1 order');
    expect(scores.churn.cadenceFrom).toBe('default');
    expect(scores.lead.applied.map((r: { id: string }) => r.id)).toContain('checkout-started');
  });
});

describe('exit rules', () => {
  it('end an enrollment wherever the contact waits: in a wait, or waiting for an event', async () => {
    const tag = randomUUID().slice(0, 8);
    const id = `it-exit-${tag}`;
    const doc = {
      schemaVersion: 1,
      id,
      name: 'Exit under test',
      triggers: [{ type: 'event', event: 'form.submitted', where: [{ path: 'fields.itExit', op: 'eq', value: tag }] }],
      start: 'choose',
      nodes: {
        choose: {
          type: 'branch',
          conditions: [{ kind: 'trigger', where: [{ path: 'fields.mode', op: 'eq', value: 'event' }] }],
          onTrue: 'await-order',
          onFalse: 'long-wait',
        },
        'await-order': {
          type: 'wait-for-event',
          event: 'order.placed',
          timeout: { days: 60 },
          next: 'done',
          onTimeout: 'timed-out',
        },
        'timed-out': { type: 'exit' },
        'long-wait': { type: 'wait', duration: { days: 60 }, next: 'done' },
        done: { type: 'exit' },
      },
      settings: { exitWhen: [{ kind: 'event', event: 'nps.responded', within: 'since-entry' }] },
    };
    expect((await adminCall('PUT', `/api/journeys/${id}`, doc)).status).toBe(200);
    expect((await adminCall('POST', `/api/journeys/${id}/publish`)).status).toBe(201);

    const waiting = { event: uniqueEmail('exit-event'), wait: uniqueEmail('exit-wait') };
    await form(waiting.event, { itExit: tag, mode: 'event' });
    await form(waiting.wait, { itExit: tag, mode: 'wait' });
    const entered = { event: await enrollmentIn(waiting.event, id), wait: await enrollmentIn(waiting.wait, id) };
    await registeredFor(entered.event, 'order.placed');
    await waitingIn(entered.wait.executionArn, 'long-wait');

    for (const email of Object.values(waiting)) await event(email, 'nps.responded', { score: 9 });
    for (const key of ['event', 'wait'] as const) {
      const ended = await enrollmentIn(waiting[key], id, (e) => e.status !== 'active');
      expect(ended).toMatchObject({ status: 'exited', exitReason: 'exit-rule' });
      const execution = await eventually('the stopped execution', async () => {
        const out = await describeExecution(entered[key].executionArn);
        return out.status === 'RUNNING' ? undefined : out;
      });
      expect(execution.status).toBe('ABORTED');
      const { body } = await getContact(waiting[key]);
      expect(body.timeline.find((e) => e.name === 'journey.exited' && e.data.journeyId === id)?.data).toMatchObject({
        reason: 'exit-rule',
      });
    }
  });
});
