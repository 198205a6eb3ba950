import { createHmac } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '#core/clock.ts';
import { CodedError } from '#core/errors.ts';
import { createLocalSecretBox } from '#platform/local-secret-box.ts';
import { createMemoryStore } from '#platform/memory-store.ts';
import { aggregateEvents, sourceCounterKey } from '#reports/aggregates.ts';
import { createMemoryAggregates } from '#reports/memory-aggregates.ts';
import { authenticateKey, createApiKey, revokeApiKey } from './api-keys.ts';
import { ingestEvents } from './events-api.ts';
import { ingestWebhook } from './ingest-webhook.ts';
import type { InboxRecord, Source } from './model.ts';
import {
  cacheSources,
  createSource,
  rotateSource,
  setSourceStatus,
  sourceSummary,
  withDeliveryCounts,
} from './sources.ts';

let now = new Date('2026-11-23T10:00:00Z');
const clock: Clock = { now: () => now };
const secretBox = createLocalSecretBox('unit-test-secret-key');
let memory: ReturnType<typeof createMemoryStore>;
beforeEach(() => {
  now = new Date('2026-11-23T10:00:00Z');
  memory = createMemoryStore();
});
const deps = () => ({ store: memory.store, clock, secretBox });

async function refusal(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CodedError) return { kind: error.kind, code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a refusal');
}

/** A WooCommerce delivery, signed here from WooCommerce's documented algorithm. */
function wooDelivery(secret: string, id: string) {
  const body = Buffer.from(
    JSON.stringify({
      id: 1,
      email: 'ada@example.com',
      first_name: 'Ada',
      date_created_gmt: '2026-11-23T09:00:00',
      date_modified_gmt: '2026-11-23T09:00:00',
    }),
  );
  const headers: Record<string, string> = {
    'x-wc-webhook-signature': createHmac('sha256', secret).update(body).digest('base64'),
    'x-wc-webhook-topic': 'customer.created',
    'x-wc-webhook-delivery-id': id,
  };
  return { sourceId: 'woo', header: (name: string) => headers[name.toLowerCase()], body };
}

describe('sources', () => {
  it('generates a secret, shows it once and keeps it sealed at rest', async () => {
    const { source, secret } = await createSource(
      deps(),
      { sourceId: 'woo', name: 'Shop', kind: 'woocommerce' },
      'admin',
    );
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = await memory.store.getSource('woo');
    expect(JSON.stringify(stored)).not.toContain(secret);
    expect(JSON.stringify(sourceSummary(source, 'https://api.example'))).not.toContain('sealed');
    expect(sourceSummary(source, 'https://api.example').url).toBe('https://api.example/webhooks/woo');
  });

  it('requires the secret Shopify and Stripe issue, and refuses a duplicate id', async () => {
    expect(await refusal(createSource(deps(), { sourceId: 'shop', name: 'S', kind: 'shopify' }, 'a'))).toMatchObject({
      kind: 'unprocessable',
      message: expect.stringContaining('secret'),
    });
    expect(
      await refusal(createSource(deps(), { sourceId: 'st', name: 'S', kind: 'stripe', secret: 'not-whsec' }, 'a')),
    ).toMatchObject({ kind: 'unprocessable', message: expect.stringContaining('whsec_') });
    await createSource(deps(), { sourceId: 'woo', name: 'Shop', kind: 'woocommerce' }, 'admin');
    expect(
      await refusal(createSource(deps(), { sourceId: 'woo', name: 'Again', kind: 'woocommerce' }, 'a')),
    ).toMatchObject({
      kind: 'conflict',
    });
  });

  it('accepts the old and the new secret during a rotation overlap, then only the new one', async () => {
    const { secret: old } = await createSource(deps(), { sourceId: 'woo', name: 'Shop', kind: 'woocommerce' }, 'admin');
    const { secret: fresh } = await rotateSource(deps(), 'woo', { overlapHours: 1 });
    expect((await ingestWebhook(deps(), wooDelivery(old as string, 'd1'))).kind).toBe('accepted');
    expect((await ingestWebhook(deps(), wooDelivery(fresh as string, 'd2'))).kind).toBe('accepted');

    now = new Date(now.getTime() + 61 * 60_000);
    expect(await refusal(ingestWebhook(deps(), wooDelivery(old as string, 'd3')))).toMatchObject({
      kind: 'unauthorized',
    });
    expect((await ingestWebhook(deps(), wooDelivery(fresh as string, 'd4'))).kind).toBe('accepted');
  });

  it('refuses a disabled source as gone and stores nothing', async () => {
    const { secret } = await createSource(deps(), { sourceId: 'woo', name: 'Shop', kind: 'woocommerce' }, 'admin');
    await setSourceStatus(deps(), 'woo', 'disabled');
    expect(await refusal(ingestWebhook(deps(), wooDelivery(secret as string, 'd1')))).toMatchObject({ kind: 'gone' });
    expect(memory.sizes().inbox).toBe(0);
  });

  it('counts a replay on the source at once, and the stored delivery once from the stream', async () => {
    const { secret } = await createSource(deps(), { sourceId: 'woo', name: 'Shop', kind: 'woocommerce' }, 'admin');
    const { inboxId } = await ingestWebhook(deps(), wooDelivery(secret as string, 'd1'));
    await ingestWebhook(deps(), wooDelivery(secret as string, 'd1'));
    const source = (await memory.store.getSource('woo')) as Source;
    expect(source.stats).toMatchObject({ duplicate: 1 });
    expect(source.stats?.accepted).toBeUndefined();

    // The new inbox record, as aggregate-events receives it (twice: a replayed stream record).
    const aggregates = createMemoryAggregates();
    const record = (await memory.store.getInbox(inboxId)) as InboxRecord;
    expect(await aggregateEvents(aggregates, [], [record])).toEqual({ applied: 1, duplicates: 0 });
    expect(await aggregateEvents(aggregates, [], [record])).toEqual({ applied: 0, duplicates: 1 });
    const key = sourceCounterKey('woo');
    expect(withDeliveryCounts(source, (await aggregates.getCounters([key]))[key]).stats).toEqual({
      accepted: 1,
      duplicate: 1,
      ignored: 0,
      lastDeliveryAt: '2026-11-23T10:00:00.000Z',
    });
  });
});

describe('sources kept by a warm ingest function', () => {
  let ms = 0;
  let reads = 0;
  const cached = () => {
    const counting = {
      ...memory.store,
      getSource: (id: string) => {
        reads++;
        return memory.store.getSource(id);
      },
    };
    return { store: cacheSources(counting, 5_000, () => ms), clock, secretBox };
  };
  beforeEach(() => {
    ms = 0;
    reads = 0;
  });

  it('reads a source once for a burst of webhooks', async () => {
    const { secret } = await createSource(deps(), { sourceId: 'woo', name: 'Shop', kind: 'woocommerce' }, 'admin');
    const ingest = cached();
    for (const id of ['d1', 'd2', 'd3']) {
      expect((await ingestWebhook(ingest, wooDelivery(secret as string, id))).kind).toBe('accepted');
    }
    expect(reads).toBe(1);
    ms = 5_001;
    await ingestWebhook(ingest, wooDelivery(secret as string, 'd4'));
    expect(reads).toBe(2);
  });

  it('takes a rotated secret and an enabled source at once, and a disabled source once its copy expires', async () => {
    const { secret: first } = await createSource(
      deps(),
      { sourceId: 'woo', name: 'Shop', kind: 'woocommerce' },
      'admin',
    );
    const ingest = cached();
    expect((await ingestWebhook(ingest, wooDelivery(first as string, 'd0'))).kind).toBe('accepted');
    // The kept copy knows only the first secret: the refusal reads the source again.
    const { secret } = await rotateSource(deps(), 'woo', { overlapHours: 1 });
    expect((await ingestWebhook(ingest, wooDelivery(secret as string, 'd1'))).kind).toBe('accepted');
    expect(reads).toBe(2);
    // A copy of the disabled source: enabling it works at once too.
    await setSourceStatus(deps(), 'woo', 'disabled');
    ms = 5_001;
    expect(await refusal(ingestWebhook(ingest, wooDelivery(secret as string, 'd2')))).toMatchObject({ kind: 'gone' });
    await setSourceStatus(deps(), 'woo', 'active');
    expect((await ingestWebhook(ingest, wooDelivery(secret as string, 'd2'))).kind).toBe('accepted');

    // Disabling reaches a kept active copy once it expires.
    await setSourceStatus(deps(), 'woo', 'disabled');
    expect((await ingestWebhook(ingest, wooDelivery(secret as string, 'd3'))).kind).toBe('accepted');
    ms = 10_002;
    expect(await refusal(ingestWebhook(ingest, wooDelivery(secret as string, 'd4')))).toMatchObject({ kind: 'gone' });
    // A signature that is wrong whatever the source says is refused after one fresh read.
    reads = 0;
    await setSourceStatus(deps(), 'woo', 'active');
    expect(await refusal(ingestWebhook(ingest, wooDelivery('not-the-secret', 'd5')))).toMatchObject({
      kind: 'unauthorized',
    });
    expect(reads).toBe(1);
  });

  it('reads the source for every webhook when kept for 0 seconds', async () => {
    const { secret } = await createSource(deps(), { sourceId: 'woo', name: 'Shop', kind: 'woocommerce' }, 'admin');
    const ingest = { store: cacheSources(memory.store, 0, () => ms), clock, secretBox };
    await ingestWebhook(ingest, wooDelivery(secret as string, 'd1'));
    await setSourceStatus(deps(), 'woo', 'disabled');
    expect(await refusal(ingestWebhook(ingest, wooDelivery(secret as string, 'd2')))).toMatchObject({ kind: 'gone' });
  });
});

describe('API keys', () => {
  it('shows the token once, stores only its hash, and authenticates it for its scopes', async () => {
    const { key, token } = await createApiKey(deps(), { name: 'web', scopes: ['events:write'] }, 'admin');
    expect(token).toMatch(/^tend_[0-9a-f]{12}_/);
    // The secret is all after `tend_<keyId>_` (base64url, so it may itself hold `_`).
    const secret = token.slice('tend_'.length + key.keyId.length + 1);
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(JSON.stringify(await memory.store.listApiKeys())).not.toContain(secret);
    expect(await authenticateKey(deps(), `Bearer ${token}`, 'events:write')).toMatchObject({ keyId: key.keyId });
    expect(await refusal(authenticateKey(deps(), `Bearer ${token}`, 'contacts:import'))).toMatchObject({
      kind: 'forbidden',
    });
  });

  it.each([
    ['no header', undefined],
    ['a malformed key', 'Bearer tend_nope'],
    ['an unknown key', `Bearer tend_0123456789ab_${'A'.repeat(43)}`],
  ])('refuses %s as unauthorized', async (_, header) => {
    expect(await refusal(authenticateKey(deps(), header, 'events:write'))).toMatchObject({ kind: 'unauthorized' });
  });

  it('refuses a revoked key and a key with a wrong secret', async () => {
    const { key, token } = await createApiKey(deps(), { name: 'web' }, 'admin');
    const wrong = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    expect(await refusal(authenticateKey(deps(), `Bearer ${wrong}`, 'events:write'))).toMatchObject({
      kind: 'unauthorized',
    });
    await revokeApiKey(deps(), key.keyId);
    expect(await refusal(authenticateKey(deps(), `Bearer ${token}`, 'events:write'))).toMatchObject({
      kind: 'unauthorized',
    });
  });
});

describe('events API', () => {
  const track = (messageId: string, extra: Record<string, unknown> = {}) => ({
    type: 'track',
    messageId,
    email: 'ada@example.com',
    event: 'order.placed',
    properties: { orderId: 'o-1', total: { amountMinor: 1999, currency: 'EUR' } },
    ...extra,
  });

  it('stores each message once by messageId, across retried batches', async () => {
    const first = await ingestEvents(deps(), { batch: [track('m1'), track('m2')] }, 'k');
    const retry = await ingestEvents(deps(), { batch: [track('m2'), track('m3')] }, 'k');
    expect(first.results.map((r) => r.status)).toEqual(['accepted', 'accepted']);
    expect(retry.results.map((r) => r.status)).toEqual(['duplicate', 'accepted']);
    expect(memory.sizes().inbox).toBe(3);
  });

  it.each([
    ['an unknown event name', { batch: [track('m1', { event: 'order.teleported' })] }, 'batch.0.event'],
    ['a message with nobody in it', { batch: [{ type: 'identify', messageId: 'm1', traits: {} }] }, 'batch.0'],
    [
      'an order without a total',
      { batch: [track('m1', { properties: { orderId: 'o' } })] },
      'batch.0.properties.total',
    ],
    ['more than 100 messages', { batch: Array.from({ length: 101 }, (_, i) => track(`m${i}`)) }, 'batch'],
  ])('refuses %s, naming where, and stores nothing', async (_, body, path) => {
    const refused = await refusal(ingestEvents(deps(), body, 'k'));
    expect(refused.kind).toBe('unprocessable');
    expect(refused.message).toContain(path);
    expect(memory.sizes().inbox).toBe(0);
  });
});

describe('WooCommerce set-up ping', () => {
  it('answers the unsigned webhook_id ping without storing anything', async () => {
    await createSource(deps(), { sourceId: 'woo', name: 'Shop', kind: 'woocommerce' }, 'admin');
    const outcome = await ingestWebhook(deps(), {
      sourceId: 'woo',
      header: () => undefined,
      body: Buffer.from('webhook_id=12'),
    });
    expect(outcome.kind).toBe('handshake');
    expect(memory.sizes().inbox).toBe(0);
  });
});
