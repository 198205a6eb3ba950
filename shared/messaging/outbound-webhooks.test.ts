import { describe, expect, it } from 'vitest';
import {
  event,
  outboundHarness,
  type Received,
  refusal,
  START,
  secretBox,
  signedBy,
} from './outbound-webhooks.fixture.ts';

/** Endpoints (registration, secrets, rotation) and enqueueing; attempts are in outbound-attempt.test.ts. */

const t = outboundHarness();

describe('endpoint registration', () => {
  it('requires https unless insecure endpoints are allowed', async () => {
    const strict = t.service({ allowInsecure: false });
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
        kind: 'unprocessable',
        code: 'invalid_payload',
        paths: ['url'],
      });
    }
    const { endpoint } = await strict.createEndpoint({ url: 'https://hooks.example.com/tend', events: ['*'] }, 'admin');
    expect(endpoint.url).toBe('https://hooks.example.com/tend');

    const local = t.service({ allowInsecure: true });
    const insecure = await local.createEndpoint({ url: 'http://127.0.0.1:8080/hook', events: ['*'] }, 'admin');
    expect(insecure.endpoint.url).toBe('http://127.0.0.1:8080/hook');
    expect(await refusal(local.createEndpoint({ url: 'ftp://127.0.0.1/hook', events: ['*'] }, 'admin'))).toMatchObject({
      kind: 'unprocessable',
      paths: ['url'],
    });
  });

  it('refuses URLs carrying credentials, even when insecure endpoints are allowed', async () => {
    for (const allowInsecure of [false, true]) {
      const url = 'https://user:pass@hooks.example.com/tend';
      expect(await refusal(t.service({ allowInsecure }).createEndpoint({ url, events: ['*'] }, 'admin'))).toMatchObject(
        {
          kind: 'unprocessable',
          paths: ['url'],
        },
      );
    }
  });

  it('accepts canonical event names or a lone "*"', async () => {
    const outbound = t.service();
    const { endpoint } = await outbound.createEndpoint(
      { url: t.receiver.url, events: ['order.placed', 'order.placed', 'form.submitted'] },
      'admin',
    );
    expect(endpoint.events).toEqual(['order.placed', 'form.submitted']);
    expect(await refusal(outbound.createEndpoint({ url: t.receiver.url, events: ['order.shipped'] }, 'admin'))).toEqual(
      {
        kind: 'unprocessable',
        code: 'invalid_payload',
        paths: ['events.0'],
      },
    );
    expect(
      (await refusal(outbound.createEndpoint({ url: t.receiver.url, events: ['*', 'order.placed'] }, 'admin'))).paths,
    ).toEqual(['events']);
    expect((await refusal(outbound.createEndpoint({ url: t.receiver.url, events: [] }, 'admin'))).paths).toEqual([
      'events',
    ]);
  });

  it('shows the secret once and keeps it sealed to the endpoint', async () => {
    const outbound = t.service();
    const { endpoint, secret } = await outbound.createEndpoint(
      { url: t.receiver.url, events: ['*'], description: 'CRM sync' },
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

    const stored = await t.store.getEndpoint(endpoint.endpointId);
    const sealed = stored?.secrets[0]?.sealed ?? '';
    expect(sealed).not.toContain(secret.slice(6));
    expect(await secretBox.open(sealed, `endpoint:${endpoint.endpointId}`)).toBe(secret);
    await expect(secretBox.open(sealed, 'endpoint:someone-else')).rejects.toThrow();
  });

  it('refuses unknown endpoints as not found', async () => {
    const outbound = t.service();
    expect(await outbound.getEndpoint('ep-missing')).toBeUndefined();
    expect((await refusal(outbound.disableEndpoint('ep-missing'))).kind).toBe('not-found');
    expect((await refusal(outbound.rotateEndpointSecret('ep-missing'))).kind).toBe('not-found');
    expect((await refusal(outbound.listDeliveries('ep-missing', 10))).kind).toBe('not-found');
  });
});

describe('enqueueing', () => {
  it('enqueues only for active endpoints subscribed to the event', async () => {
    const outbound = t.service();
    const orders = await outbound.createEndpoint({ url: t.receiver.url, events: ['order.placed'] }, 'admin');
    const all = await outbound.createEndpoint({ url: t.receiver.url, events: ['*'] }, 'admin');
    const forms = await outbound.createEndpoint({ url: t.receiver.url, events: ['form.submitted'] }, 'admin');
    await outbound.disableEndpoint(forms.endpoint.endpointId);

    const ids = await outbound.enqueueForEvent(event('evt-1', 'form.submitted'));
    expect(ids).toHaveLength(1);
    expect((await t.store.getDelivery(ids[0] ?? ''))?.endpointId).toBe(all.endpoint.endpointId);
    expect(await outbound.listDeliveries(orders.endpoint.endpointId, 10)).toEqual([]);
    expect(await outbound.listDeliveries(forms.endpoint.endpointId, 10)).toEqual([]);
  });

  it('enqueues a replayed event once and delivers it once', async () => {
    const outbound = t.service();
    const { endpoint } = await outbound.createEndpoint({ url: t.receiver.url, events: ['*'] }, 'admin');

    const first = await outbound.enqueueForEvent(event());
    const replay = await outbound.enqueueForEvent(event());
    expect(first).toHaveLength(1);
    expect(replay).toEqual([]);

    const id = first[0] ?? '';
    expect((await outbound.attempt(id)).outcome).toBe('delivered');
    expect(await outbound.attempt(id)).toEqual({ outcome: 'finished' });
    expect(t.receiver.received).toHaveLength(1);
    expect(await outbound.listDeliveries(endpoint.endpointId, 10)).toHaveLength(1);
  });

  it('enqueues other payloads once per key', async () => {
    const outbound = t.service();
    const { endpoint } = await outbound.createEndpoint({ url: t.receiver.url, events: ['order.placed'] }, 'admin');
    const input = { endpointId: endpoint.endpointId, key: 'enr-1:step-2', type: 'journey.step', data: { step: 2 } };

    const first = await outbound.enqueue(input);
    expect(first.outcome).toBe('enqueued');
    expect(await outbound.enqueue(input)).toEqual({ ...first, outcome: 'duplicate' });
    expect(await outbound.enqueue({ ...input, endpointId: 'ep-missing' })).toEqual({ outcome: 'endpoint-not-found' });

    expect((await outbound.attempt('deliveryId' in first ? first.deliveryId : '')).outcome).toBe('delivered');
    expect(JSON.parse(t.receiver.received[0]?.body.toString('utf8') ?? '')).toEqual({
      type: 'journey.step',
      timestamp: START.toISOString(),
      data: { step: 2 },
    });
    await outbound.disableEndpoint(endpoint.endpointId);
    expect(await outbound.enqueue({ ...input, key: 'enr-1:step-3' })).toEqual({ outcome: 'endpoint-disabled' });
  });

  it('lists the delivery log newest first, up to a limit', async () => {
    const outbound = t.service();
    const { endpoint } = await outbound.createEndpoint({ url: t.receiver.url, events: ['*'] }, 'admin');
    for (const id of ['evt-a', 'evt-b', 'evt-c']) {
      await outbound.enqueueForEvent(event(id));
      t.advance(1000);
    }
    const log = await outbound.listDeliveries(endpoint.endpointId, 2);
    expect(log.map((d) => d.key)).toEqual(['evt-c', 'evt-b']);
    expect(log.every((d) => d.status === 'pending' && d.attempts.length === 0)).toBe(true);
  });
});

describe('secret rotation', () => {
  it('signs with both secrets during a rotation overlap, then with the new one only', async () => {
    const outbound = t.service();
    const { endpoint, secret: oldSecret } = await outbound.createEndpoint(
      { url: t.receiver.url, events: ['*'] },
      'admin',
    );
    t.advance(60_000);
    const rotated = await outbound.rotateEndpointSecret(endpoint.endpointId);
    expect(rotated.secret).not.toBe(oldSecret);
    expect(rotated.previousSecretExpiresAt).toBe(new Date(t.now.getTime() + 24 * 3600 * 1000).toISOString());
    expect(JSON.stringify(rotated.endpoint)).not.toContain(rotated.secret.slice(6));

    const [during = ''] = await outbound.enqueueForEvent(event('evt-during'));
    await outbound.attempt(during);
    const overlap = t.receiver.received[0] as Received;
    expect(String(overlap.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(signedBy(oldSecret, overlap)).toBe(true);
    expect(signedBy(rotated.secret, overlap)).toBe(true);

    t.advance(24 * 3600 * 1000 + 1000);
    const [after = ''] = await outbound.enqueueForEvent(event('evt-after'));
    await outbound.attempt(after);
    const later = t.receiver.received[1] as Received;
    expect(String(later.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(signedBy(rotated.secret, later)).toBe(true);
    expect(signedBy(oldSecret, later)).toBe(false);
    expect(await outbound.getEndpoint(endpoint.endpointId)).not.toHaveProperty('previousSecretExpiresAt');
  });
});
