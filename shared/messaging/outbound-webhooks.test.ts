import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '#core/clock.ts';
import type { TimelineEvent } from '#core/contact.ts';
import { HttpError } from '#core/errors.ts';
import { createLocalSecretBox } from '#platform/local-secret-box.ts';
import { createMemoryOutboundStore } from './memory-outbound.ts';
import { MAX_ATTEMPTS, RETRY_DELAYS_SECONDS, retryDelayMs } from './outbound.ts';
import type { OutboundStore } from './outbound-store.ts';
import { createOutboundWebhooks } from './outbound-webhooks.ts';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}
interface Reply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  delayMs?: number;
}

/** A real HTTP receiver on loopback; `reply` decides each answer by its 1-based request number. */
async function startReceiver() {
  const received: Received[] = [];
  let reply: (n: number) => Reply = () => ({ status: 200, body: 'ok' });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      const r = reply(received.length);
      const answer = () => {
        if (res.destroyed) return;
        res.writeHead(r.status, r.headers);
        res.end(r.body ?? '');
      };
      if (r.delayMs) setTimeout(answer, r.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    answer(fn: (n: number) => Reply) {
      reply = fn;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Recomputes the Standard Webhooks signature with node:crypto, independently of the code under test. */
function signedBy(secret: string, request: Received): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const id = String(request.headers['webhook-id']);
  const ts = String(request.headers['webhook-timestamp']);
  const expected = createHmac('sha256', key)
    .update(Buffer.concat([Buffer.from(`${id}.${ts}.`), request.body]))
    .digest('base64');
  return String(request.headers['webhook-signature']).split(' ').includes(`v1,${expected}`);
}

async function refusal(promise: Promise<unknown>): Promise<{ status: number; code: string; paths: string[] }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HttpError) {
      const details = (error.details ?? []) as { path: string }[];
      return { status: error.statusCode, code: error.code, paths: details.map((d) => d.path) };
    }
    throw error;
  }
  throw new Error('expected a refusal');
}

const START = new Date('2026-11-23T10:00:00.000Z');
let now: Date;
const clock: Clock = { now: () => new Date(now) };
const advance = (ms: number) => {
  now = new Date(now.getTime() + ms);
};
const seconds = () => Math.floor(now.getTime() / 1000);
const secretBox = createLocalSecretBox('outbound-test-master-key');

let store: OutboundStore;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const service = (options: { allowInsecure?: boolean; random?: () => number } = {}) =>
  createOutboundWebhooks({
    store,
    secretBox,
    clock,
    random: options.random ?? (() => 0.5),
    allowInsecure: options.allowInsecure ?? true,
    attemptTimeoutMs: 300,
  });

const event = (eventId = 'evt-1', name: TimelineEvent['name'] = 'form.submitted'): TimelineEvent => ({
  eventId,
  contactId: 'c-1',
  name,
  at: '2026-11-23T09:59:00.000Z',
  data: { sourceId: 'demo-form', fields: { plan: 'pro' } },
});

beforeEach(async () => {
  now = START;
  store = createMemoryOutboundStore();
  receiver = await startReceiver();
});
afterEach(async () => {
  await receiver.close();
});

describe('endpoint registration', () => {
  it('requires https unless insecure endpoints are allowed', async () => {
    const strict = service({ allowInsecure: false });
    for (const url of [
      'http://hooks.example.com/tend',
      'https://127.0.0.1/hook',
      'https://localhost:8443/hook',
      'https://[::1]/hook',
      'https://10.1.2.3/hook',
      'https://169.254.169.254/latest',
      'not a url',
    ]) {
      expect(await refusal(strict.createEndpoint({ url, events: ['*'] }, 'admin')), url).toEqual({
        status: 422,
        code: 'invalid_payload',
        paths: ['url'],
      });
    }
    const { endpoint } = await strict.createEndpoint({ url: 'https://hooks.example.com/tend', events: ['*'] }, 'admin');
    expect(endpoint.url).toBe('https://hooks.example.com/tend');

    const local = service({ allowInsecure: true });
    const insecure = await local.createEndpoint({ url: 'http://127.0.0.1:8080/hook', events: ['*'] }, 'admin');
    expect(insecure.endpoint.url).toBe('http://127.0.0.1:8080/hook');
    expect(await refusal(local.createEndpoint({ url: 'ftp://127.0.0.1/hook', events: ['*'] }, 'admin'))).toMatchObject({
      status: 422,
      paths: ['url'],
    });
  });

  it('refuses URLs carrying credentials, even when insecure endpoints are allowed', async () => {
    for (const allowInsecure of [false, true]) {
      const url = 'https://user:pass@hooks.example.com/tend';
      expect(await refusal(service({ allowInsecure }).createEndpoint({ url, events: ['*'] }, 'admin'))).toMatchObject({
        status: 422,
        paths: ['url'],
      });
    }
  });

  it('accepts canonical event names or a lone "*"', async () => {
    const outbound = service();
    const { endpoint } = await outbound.createEndpoint(
      { url: receiver.url, events: ['order.placed', 'order.placed', 'form.submitted'] },
      'admin',
    );
    expect(endpoint.events).toEqual(['order.placed', 'form.submitted']);
    expect(await refusal(outbound.createEndpoint({ url: receiver.url, events: ['order.shipped'] }, 'admin'))).toEqual({
      status: 422,
      code: 'invalid_payload',
      paths: ['events.0'],
    });
    expect(
      (await refusal(outbound.createEndpoint({ url: receiver.url, events: ['*', 'order.placed'] }, 'admin'))).paths,
    ).toEqual(['events']);
    expect((await refusal(outbound.createEndpoint({ url: receiver.url, events: [] }, 'admin'))).paths).toEqual([
      'events',
    ]);
  });

  it('shows the secret once and keeps it sealed to the endpoint', async () => {
    const outbound = service();
    const { endpoint, secret } = await outbound.createEndpoint(
      { url: receiver.url, events: ['*'], description: 'CRM sync' },
      'admin',
    );
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(24);

    const shown = JSON.stringify([
      endpoint,
      await outbound.getEndpoint(endpoint.endpointId),
      await outbound.listEndpoints(),
    ]);
    expect(shown).not.toContain(secret.slice(6));
    expect(shown).not.toContain('sealed');

    const stored = await store.getEndpoint(endpoint.endpointId);
    const sealed = stored?.secrets[0]?.sealed ?? '';
    expect(sealed).not.toContain(secret.slice(6));
    expect(await secretBox.open(sealed, `endpoint:${endpoint.endpointId}`)).toBe(secret);
    await expect(secretBox.open(sealed, 'endpoint:someone-else')).rejects.toThrow();
  });

  it('answers unknown endpoints with 404', async () => {
    const outbound = service();
    expect(await outbound.getEndpoint('ep-missing')).toBeUndefined();
    expect((await refusal(outbound.disableEndpoint('ep-missing'))).status).toBe(404);
    expect((await refusal(outbound.rotateEndpointSecret('ep-missing'))).status).toBe(404);
    expect((await refusal(outbound.listDeliveries('ep-missing', 10))).status).toBe(404);
  });
});

describe('delivery', () => {
  it('POSTs a subscribed event as a signed Standard Webhooks envelope', async () => {
    const outbound = service();
    const { endpoint, secret } = await outbound.createEndpoint(
      { url: receiver.url, events: ['form.submitted'] },
      'admin',
    );

    const [deliveryId, ...more] = await outbound.enqueueForEvent(event());
    expect(more).toEqual([]);
    expect(await outbound.attempt(deliveryId ?? '')).toEqual({ outcome: 'delivered', statusCode: 200 });

    expect(receiver.received).toHaveLength(1);
    const request = receiver.received[0] as Received;
    expect(request.path).toBe('/hook');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['user-agent']).toBe('Tend-Webhooks/1');
    expect(request.headers['webhook-id']).toBe(deliveryId);
    expect(request.headers['webhook-timestamp']).toBe(String(seconds()));
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
      deliveredAt: now.toISOString(),
      attempts: [{ attempt: 1, at: now.toISOString(), statusCode: 200, responseBody: 'ok' }],
    });
    expect(log[0]).not.toHaveProperty('payload');
    expect(await store.listDue('9999-12-31T00:00:00.000Z', 10)).toEqual([]);
  });

  it('enqueues only for active endpoints subscribed to the event', async () => {
    const outbound = service();
    const orders = await outbound.createEndpoint({ url: receiver.url, events: ['order.placed'] }, 'admin');
    const all = await outbound.createEndpoint({ url: receiver.url, events: ['*'] }, 'admin');
    const forms = await outbound.createEndpoint({ url: receiver.url, events: ['form.submitted'] }, 'admin');
    await outbound.disableEndpoint(forms.endpoint.endpointId);

    const ids = await outbound.enqueueForEvent(event('evt-1', 'form.submitted'));
    expect(ids).toHaveLength(1);
    expect((await store.getDelivery(ids[0] ?? ''))?.endpointId).toBe(all.endpoint.endpointId);
    expect(await outbound.listDeliveries(orders.endpoint.endpointId, 10)).toEqual([]);
    expect(await outbound.listDeliveries(forms.endpoint.endpointId, 10)).toEqual([]);
  });

  it('enqueues a replayed event once and delivers it once', async () => {
    const outbound = service();
    const { endpoint } = await outbound.createEndpoint({ url: receiver.url, events: ['*'] }, 'admin');

    const first = await outbound.enqueueForEvent(event());
    const replay = await outbound.enqueueForEvent(event());
    expect(first).toHaveLength(1);
    expect(replay).toEqual([]);

    const id = first[0] ?? '';
    expect((await outbound.attempt(id)).outcome).toBe('delivered');
    expect(await outbound.attempt(id)).toEqual({ outcome: 'finished' });
    expect(receiver.received).toHaveLength(1);
    expect(await outbound.listDeliveries(endpoint.endpointId, 10)).toHaveLength(1);
  });

  it('enqueues other payloads once per key', async () => {
    const outbound = service();
    const { endpoint } = await outbound.createEndpoint({ url: receiver.url, events: ['order.placed'] }, 'admin');
    const input = { endpointId: endpoint.endpointId, key: 'enr-1:step-2', type: 'journey.step', data: { step: 2 } };

    const first = await outbound.enqueue(input);
    expect(first.outcome).toBe('enqueued');
    expect(await outbound.enqueue(input)).toEqual({ ...first, outcome: 'duplicate' });
    expect(await outbound.enqueue({ ...input, endpointId: 'ep-missing' })).toEqual({ outcome: 'endpoint-not-found' });

    expect((await outbound.attempt('deliveryId' in first ? first.deliveryId : '')).outcome).toBe('delivered');
    expect(JSON.parse(receiver.received[0]?.body.toString('utf8') ?? '')).toEqual({
      type: 'journey.step',
      timestamp: START.toISOString(),
      data: { step: 2 },
    });
    await outbound.disableEndpoint(endpoint.endpointId);
    expect(await outbound.enqueue({ ...input, key: 'enr-1:step-3' })).toEqual({ outcome: 'endpoint-disabled' });
  });

  it('retries failures on the backoff schedule, then gives up', async () => {
    receiver.answer(() => ({ status: 500, body: 'x'.repeat(1000) }));
    const outbound = service();
    const { endpoint } = await outbound.createEndpoint({ url: receiver.url, events: ['*'] }, 'admin');
    const [id = ''] = await outbound.enqueueForEvent(event());

    const first = await outbound.attempt(id);
    expect(first).toEqual({
      outcome: 'retrying',
      statusCode: 500,
      nextAttemptAt: new Date(START.getTime() + 30_000).toISOString(),
    });
    expect(await outbound.attempt(id)).toEqual({ outcome: 'not-due' });

    for (const delay of RETRY_DELAYS_SECONDS) {
      advance(delay * 1000 - 1000);
      expect((await outbound.retryDue(10)).due, 'not due a second early').toBe(0);
      advance(1000);
      const report = await outbound.retryDue(10);
      expect(report).toMatchObject({ due: 1, errors: [] });
    }
    expect(receiver.received).toHaveLength(MAX_ATTEMPTS);
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id']))).toEqual(new Set([id]));
    const timestamps = receiver.received.map((r) => Number(r.headers['webhook-timestamp']) - START.getTime() / 1000);
    expect(timestamps).toEqual([0, 30, 150, 750, 4350, 25950, 112350]);

    const [delivery] = await outbound.listDeliveries(endpoint.endpointId, 10);
    expect(delivery).toMatchObject({ status: 'failed', failureReason: 'gave up after 7 attempts', attemptCount: 7 });
    expect(delivery?.attempts.map((a) => a.statusCode)).toEqual(Array(7).fill(500));
    expect(delivery?.attempts[0]?.responseBody).toBe('x'.repeat(500));
    expect(await store.listDue('9999-12-31T00:00:00.000Z', 10)).toEqual([]);
    advance(7 * 24 * 3600 * 1000);
    expect(await outbound.retryDue(10)).toMatchObject({ due: 0 });
    expect(receiver.received).toHaveLength(MAX_ATTEMPTS);
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
    receiver.answer(() => ({ status: 503 }));
    const outbound = service({ random: () => 0 });
    await outbound.createEndpoint({ url: receiver.url, events: ['*'] }, 'admin');
    const [id = ''] = await outbound.enqueueForEvent(event());
    expect(await outbound.attempt(id)).toMatchObject({
      outcome: 'retrying',
      nextAttemptAt: new Date(START.getTime() + 27_000).toISOString(),
    });
  });

  it('records timeouts and network errors, and retries them', async () => {
    receiver.answer(() => ({ status: 200, delayMs: 2_000 }));
    const outbound = service();
    const slow = await outbound.createEndpoint({ url: receiver.url, events: ['*'] }, 'admin');
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
    receiver.answer(() => ({ status: 302, headers: { location: '/elsewhere' } }));
    const outbound = service();
    await outbound.createEndpoint({ url: receiver.url, events: ['*'] }, 'admin');
    const [id = ''] = await outbound.enqueueForEvent(event());
    expect(await outbound.attempt(id)).toMatchObject({
      outcome: 'retrying',
      statusCode: 302,
      error: 'redirects are not followed',
    });
    expect(receiver.received.map((r) => r.path)).toEqual(['/hook']);
  });

  it('disables an endpoint that answers 410 and fails what is queued for it', async () => {
    receiver.answer(() => ({ status: 410, body: 'gone' }));
    const outbound = service();
    const { endpoint } = await outbound.createEndpoint({ url: receiver.url, events: ['*'] }, 'admin');
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
    expect(receiver.received).toHaveLength(1);
    expect((await outbound.listDeliveries(endpoint.endpointId, 10)).map((d) => d.status)).toEqual(['failed', 'failed']);
  });

  it('signs with both secrets during a rotation overlap, then with the new one only', async () => {
    const outbound = service();
    const { endpoint, secret: oldSecret } = await outbound.createEndpoint(
      { url: receiver.url, events: ['*'] },
      'admin',
    );
    advance(60_000);
    const rotated = await outbound.rotateEndpointSecret(endpoint.endpointId);
    expect(rotated.secret).not.toBe(oldSecret);
    expect(rotated.previousSecretExpiresAt).toBe(new Date(now.getTime() + 24 * 3600 * 1000).toISOString());
    expect(JSON.stringify(rotated.endpoint)).not.toContain(rotated.secret.slice(6));

    const [during = ''] = await outbound.enqueueForEvent(event('evt-during'));
    await outbound.attempt(during);
    const overlap = receiver.received[0] as Received;
    expect(String(overlap.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(signedBy(oldSecret, overlap)).toBe(true);
    expect(signedBy(rotated.secret, overlap)).toBe(true);

    advance(24 * 3600 * 1000 + 1000);
    const [after = ''] = await outbound.enqueueForEvent(event('evt-after'));
    await outbound.attempt(after);
    const later = receiver.received[1] as Received;
    expect(String(later.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(signedBy(rotated.secret, later)).toBe(true);
    expect(signedBy(oldSecret, later)).toBe(false);
    expect(await outbound.getEndpoint(endpoint.endpointId)).not.toHaveProperty('previousSecretExpiresAt');
  });

  it('sends a delivery once when two attempts race', async () => {
    receiver.answer(() => ({ status: 200, delayMs: 100 }));
    const outbound = service();
    await outbound.createEndpoint({ url: receiver.url, events: ['*'] }, 'admin');
    const [id = ''] = await outbound.enqueueForEvent(event());

    const outcomes = await Promise.all([outbound.attempt(id), outbound.attempt(id)]);
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['busy', 'delivered']);
    expect(receiver.received).toHaveLength(1);
  });

  it('attempts a new delivery whose stream attempt never happened once its fallback is due', async () => {
    const outbound = service();
    await outbound.createEndpoint({ url: receiver.url, events: ['*'] }, 'admin');
    await outbound.enqueueForEvent(event());

    expect(await outbound.retryDue(10)).toMatchObject({ due: 0 });
    advance(5 * 60 * 1000);
    expect(await outbound.retryDue(10)).toEqual({
      due: 1,
      delivered: 1,
      retrying: 0,
      failed: 0,
      skipped: 0,
      errors: [],
    });
    expect(receiver.received).toHaveLength(1);
  });

  it('lists the delivery log newest first, up to a limit', async () => {
    const outbound = service();
    const { endpoint } = await outbound.createEndpoint({ url: receiver.url, events: ['*'] }, 'admin');
    for (const id of ['evt-a', 'evt-b', 'evt-c']) {
      await outbound.enqueueForEvent(event(id));
      advance(1000);
    }
    const log = await outbound.listDeliveries(endpoint.endpointId, 2);
    expect(log.map((d) => d.key)).toEqual(['evt-c', 'evt-b']);
    expect(log.every((d) => d.status === 'pending' && d.attempts.length === 0)).toBe(true);
  });
});
