import { describe, expect, it } from 'vitest';
import { MAX_ATTEMPTS, RETRY_DELAYS_SECONDS, retryDelayMs } from './outbound.ts';
import { event, outboundHarness, type Received, START, signedBy, startReceiver } from './outbound-webhooks.fixture.ts';

/** Attempts at deliveries: signing, the backoff schedule, timeouts, redirects, 410 Gone, races. */

const t = outboundHarness();

describe('delivery', () => {
  it('POSTs a subscribed event as a signed Standard Webhooks envelope', async () => {
    const outbound = t.service();
    const { endpoint, secret } = await outbound.createEndpoint(
      { url: t.receiver.url, events: ['form.submitted'] },
      'admin',
    );

    const [deliveryId, ...more] = await outbound.enqueueForEvent(event());
    expect(more).toEqual([]);
    expect(await outbound.attempt(deliveryId ?? '')).toEqual({ outcome: 'delivered', statusCode: 200 });

    expect(t.receiver.received).toHaveLength(1);
    const request = t.receiver.received[0] as Received;
    expect(request.path).toBe('/hook');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['user-agent']).toBe('Tend-Webhooks/1');
    expect(request.headers['webhook-id']).toBe(deliveryId);
    expect(request.headers['webhook-timestamp']).toBe(String(t.seconds()));
    expect(signedBy(secret, request)).toBe(true);
    expect(signedBy(`whsec_${Buffer.from('another secret entirely').toString('base64')}`, request)).toBe(false);
    expect(JSON.parse(request.body.toString('utf8'))).toEqual({
      type: 'form.submitted',
      timestamp: '2026-11-23T09:59:00.000Z',
      data: { eventId: 'evt-1', contactId: 'c-1', details: { sourceId: 'demo-form', fields: { plan: 'pro' } } },
    });

    const log = await outbound.listDeliveries(endpoint.endpointId, 10);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({
      deliveryId,
      eventType: 'form.submitted',
      key: 'evt-1',
      status: 'delivered',
      attemptCount: 1,
      deliveredAt: t.now.toISOString(),
      attempts: [{ attempt: 1, at: t.now.toISOString(), statusCode: 200, responseBody: 'ok' }],
    });
    expect(log[0]).not.toHaveProperty('payload');
    expect(await t.store.listDue('9999-12-31T00:00:00.000Z', 10)).toEqual([]);
  });

  it('retries failures on the backoff schedule, then gives up', async () => {
    t.receiver.answer(() => ({ status: 500, body: 'x'.repeat(1000) }));
    const outbound = t.service();
    const { endpoint } = await outbound.createEndpoint({ url: t.receiver.url, events: ['*'] }, 'admin');
    const [id = ''] = await outbound.enqueueForEvent(event());

    const first = await outbound.attempt(id);
    expect(first).toEqual({
      outcome: 'retrying',
      statusCode: 500,
      nextAttemptAt: new Date(START.getTime() + 30_000).toISOString(),
    });
    expect(await outbound.attempt(id)).toEqual({ outcome: 'not-due' });

    for (const delay of RETRY_DELAYS_SECONDS) {
      t.advance(delay * 1000 - 1000);
      expect((await outbound.retryDue(10)).due, 'not due a second early').toBe(0);
      t.advance(1000);
      const report = await outbound.retryDue(10);
      expect(report).toMatchObject({ due: 1, errors: [] });
    }
    expect(t.receiver.received).toHaveLength(MAX_ATTEMPTS);
    expect(new Set(t.receiver.received.map((r) => r.headers['webhook-id']))).toEqual(new Set([id]));
    const timestamps = t.receiver.received.map((r) => Number(r.headers['webhook-timestamp']) - START.getTime() / 1000);
    expect(timestamps).toEqual([0, 30, 150, 750, 4350, 25950, 112350]);

    const [delivery] = await outbound.listDeliveries(endpoint.endpointId, 10);
    expect(delivery).toMatchObject({ status: 'failed', failureReason: 'gave up after 7 attempts', attemptCount: 7 });
    expect(delivery?.attempts.map((a) => a.statusCode)).toEqual(Array(7).fill(500));
    expect(delivery?.attempts[0]?.responseBody).toBe('x'.repeat(500));
    expect(await t.store.listDue('9999-12-31T00:00:00.000Z', 10)).toEqual([]);
    t.advance(7 * 24 * 3600 * 1000);
    expect(await outbound.retryDue(10)).toMatchObject({ due: 0 });
    expect(t.receiver.received).toHaveLength(MAX_ATTEMPTS);
  });

  it('jitters each retry delay by at most 10 %', () => {
    expect(RETRY_DELAYS_SECONDS).toEqual([30, 120, 600, 3600, 21600, 86400]);
    expect(MAX_ATTEMPTS).toBe(7);
    expect(retryDelayMs(1, () => 0)).toBe(27_000);
    expect(retryDelayMs(1, () => 0.5)).toBe(30_000);
    expect(retryDelayMs(1, () => 0.999_999)).toBe(33_000);
    expect(retryDelayMs(6, () => 0.5)).toBe(86_400_000);
    expect(retryDelayMs(7, () => 0.5)).toBeUndefined();
  });

  it('schedules the next attempt with the injected jitter', async () => {
    t.receiver.answer(() => ({ status: 503 }));
    const outbound = t.service({ random: () => 0 });
    await outbound.createEndpoint({ url: t.receiver.url, events: ['*'] }, 'admin');
    const [id = ''] = await outbound.enqueueForEvent(event());
    expect(await outbound.attempt(id)).toMatchObject({
      outcome: 'retrying',
      nextAttemptAt: new Date(START.getTime() + 27_000).toISOString(),
    });
  });

  it('records timeouts and network errors, and retries them', async () => {
    t.receiver.answer(() => ({ status: 200, delayMs: 2_000 }));
    const outbound = t.service();
    const slow = await outbound.createEndpoint({ url: t.receiver.url, events: ['*'] }, 'admin');
    const [slowId = ''] = await outbound.enqueueForEvent(event('evt-slow'));
    expect(await outbound.attempt(slowId)).toMatchObject({ outcome: 'retrying', error: 'no answer within 300 ms' });
    const [logged] = await outbound.listDeliveries(slow.endpoint.endpointId, 1);
    expect(logged?.attempts[0]).not.toHaveProperty('statusCode');
    expect(logged?.attempts[0]?.durationMs).toBeGreaterThanOrEqual(250);
    await outbound.disableEndpoint(slow.endpoint.endpointId);

    const closed = await startReceiver();
    await closed.close();
    await outbound.createEndpoint({ url: closed.url, events: ['*'] }, 'admin');
    const [downId = ''] = await outbound.enqueueForEvent(event('evt-down'));
    expect(await outbound.attempt(downId)).toMatchObject({ outcome: 'retrying', error: 'network error: ECONNREFUSED' });
  });

  it('does not follow redirects', async () => {
    t.receiver.answer(() => ({ status: 302, headers: { location: '/elsewhere' } }));
    const outbound = t.service();
    await outbound.createEndpoint({ url: t.receiver.url, events: ['*'] }, 'admin');
    const [id = ''] = await outbound.enqueueForEvent(event());
    expect(await outbound.attempt(id)).toMatchObject({
      outcome: 'retrying',
      statusCode: 302,
      error: 'redirects are not followed',
    });
    expect(t.receiver.received.map((r) => r.path)).toEqual(['/hook']);
  });

  it('disables an endpoint that answers 410 and fails what is queued for it', async () => {
    t.receiver.answer(() => ({ status: 410, body: 'gone' }));
    const outbound = t.service();
    const { endpoint } = await outbound.createEndpoint({ url: t.receiver.url, events: ['*'] }, 'admin');
    const [first = ''] = await outbound.enqueueForEvent(event('evt-1'));
    const [second = ''] = await outbound.enqueueForEvent(event('evt-2'));

    expect(await outbound.attempt(first)).toMatchObject({ outcome: 'failed', statusCode: 410 });
    expect(await outbound.getEndpoint(endpoint.endpointId)).toMatchObject({
      status: 'disabled',
      disabledReason: 'answered 410 Gone',
    });
    expect(await outbound.attempt(second)).toEqual({
      outcome: 'failed',
      reason: 'not sent: the endpoint is disabled or deleted',
    });
    expect(await outbound.enqueueForEvent(event('evt-3'))).toEqual([]);
    expect(t.receiver.received).toHaveLength(1);
    expect((await outbound.listDeliveries(endpoint.endpointId, 10)).map((d) => d.status)).toEqual(['failed', 'failed']);
  });

  it('sends a delivery once when two attempts race', async () => {
    t.receiver.answer(() => ({ status: 200, delayMs: 100 }));
    const outbound = t.service();
    await outbound.createEndpoint({ url: t.receiver.url, events: ['*'] }, 'admin');
    const [id = ''] = await outbound.enqueueForEvent(event());

    const outcomes = await Promise.all([outbound.attempt(id), outbound.attempt(id)]);
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['busy', 'delivered']);
    expect(t.receiver.received).toHaveLength(1);
  });

  it('attempts a new delivery whose stream attempt never happened once its fallback is due', async () => {
    const outbound = t.service();
    await outbound.createEndpoint({ url: t.receiver.url, events: ['*'] }, 'admin');
    await outbound.enqueueForEvent(event());

    expect(await outbound.retryDue(10)).toMatchObject({ due: 0 });
    t.advance(5 * 60 * 1000);
    expect(await outbound.retryDue(10)).toEqual({
      due: 1,
      delivered: 1,
      retrying: 0,
      failed: 0,
      skipped: 0,
      errors: [],
    });
    expect(t.receiver.received).toHaveLength(1);
  });
});
