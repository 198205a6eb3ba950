import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '#core/canonical-event.ts';
import { alterOneByte, delivery, fixture, fixtureJson, NOW } from '../../../test/fixtures/providers/fixtures.ts';
import { canonicalEventSchema } from './canonical-data.ts';
import { standardWebhooks } from './standard-webhooks.ts';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** The Standard Webhooks scheme: `v1,` + base64 HMAC-SHA256 of `id.timestamp.body`, key = base64 after `whsec_`. */
const sign = (id: string, ts: number, body: Buffer, secret = SECRET) =>
  `v1,${createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64'))
    .update(Buffer.concat([Buffer.from(`${id}.${ts}.`), body]))
    .digest('base64')}`;

const signed = (body: Buffer | string, { id = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', ts = NOW, secret = SECRET } = {}) => {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return delivery(bytes, {
    'webhook-id': id,
    'webhook-timestamp': String(ts),
    'webhook-signature': sign(id, ts, bytes, secret),
  });
};

const parse = (body: Buffer | string) => {
  const d = signed(body);
  expect(standardWebhooks.verify(SECRET, d)).toEqual({ ok: true });
  return standardWebhooks.parse(d, JSON.parse(d.body.toString('utf8')), {});
};

const onlyEvent = (result: ReturnType<typeof parse>['result']): CanonicalEvent => {
  if (result.kind !== 'events') throw new Error(`expected events, got ignored: ${result.reason}`);
  expect(result.events).toHaveLength(1);
  const [event] = result.events;
  if (!event) throw new Error('no event');
  canonicalEventSchema.parse(event);
  return event;
};

const issuePaths = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (error) {
    return (error as { issues: { path: PropertyKey[] }[] }).issues.map((i) => i.path.join('.'));
  }
  throw new Error('expected a ZodError');
};

describe('standard-webhooks verify', () => {
  it('accepts a body signed with the secret', () => {
    // Arrange
    const d = signed(fixture('standard-webhooks', 'form.submitted'));
    // Act
    const result = standardWebhooks.verify(SECRET, d);
    // Assert
    expect(result).toEqual({ ok: true });
  });

  it('refuses a body altered by one byte', () => {
    const body = fixture('standard-webhooks', 'order.placed');
    const d = { ...signed(body), body: alterOneByte(body) };

    expect(standardWebhooks.verify(SECRET, d)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a signature made with another secret', () => {
    const d = signed(fixture('standard-webhooks', 'form.submitted'), {
      secret: 'whsec_c2VjcmV0LW9mLXNvbWVib2R5LWVsc2U=',
    });

    expect(standardWebhooks.verify(SECRET, d)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a delivery without the webhook headers', () => {
    const d = delivery(fixture('standard-webhooks', 'form.submitted'), {});

    expect(standardWebhooks.verify(SECRET, d)).toMatchObject({ ok: false, reason: 'missing_headers' });
  });

  it('refuses a timestamp 301 seconds old and accepts one 299 seconds old', () => {
    const body = fixture('standard-webhooks', 'form.submitted');

    expect(standardWebhooks.verify(SECRET, signed(body, { ts: NOW - 301 }))).toMatchObject({
      reason: 'stale_timestamp',
    });
    expect(standardWebhooks.verify(SECRET, signed(body, { ts: NOW - 299 }))).toEqual({ ok: true });
  });
});

describe('standard-webhooks parse', () => {
  it('turns a form submission into form.submitted keyed by the webhook id', () => {
    // Act
    const parsed = parse(fixture('standard-webhooks', 'form.submitted'));
    // Assert
    expect(parsed).toMatchObject({ deliveryId: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', topic: 'form.submitted' });
    const fields = { plan: 'pro', seats: 5, newsletter: true };
    expect(onlyEvent(parsed.result)).toEqual({
      name: 'form.submitted',
      key: 'form:msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
      occurredAt: new Date(NOW * 1000).toISOString(),
      identifiers: { email: 'ada@example.com' },
      profile: { firstName: 'Ada', lastName: 'Lovelace', properties: fields },
      data: { provider: 'standard-webhooks', formId: 'form', fields },
    });
  });

  it('turns an event envelope into that canonical event with its key, time and data', () => {
    const parsed = parse(fixture('standard-webhooks', 'order.placed'));

    expect(parsed.topic).toBe('order.placed');
    expect(onlyEvent(parsed.result)).toEqual({
      name: 'order.placed',
      key: 'order:1001',
      occurredAt: '2025-06-01T10:00:00.000Z',
      identifiers: { email: 'ada@example.com', userId: 'user_8412' },
      profile: { firstName: 'Ada', properties: { tier: 'gold' } },
      data: {
        provider: 'standard-webhooks',
        orderId: '1001',
        orderNumber: '1001',
        total: { amountMinor: 4200, currency: 'EUR' },
        lineItems: [
          {
            sku: 'BOOK-1',
            name: 'Notes on the Analytical Engine',
            quantity: 2,
            unitPrice: { amountMinor: 2100, currency: 'EUR' },
          },
        ],
        channel: 'pos',
      },
    });
  });

  it('keys an envelope without a key by the webhook id, so a retry is one event', () => {
    const body = JSON.stringify({ type: 'contact.updated', data: { userId: 'user_1', lastName: 'Byron' } });

    const event = onlyEvent(parse(body).result);

    expect(event).toMatchObject({ key: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', data: { provider: 'standard-webhooks' } });
  });

  it('refuses an envelope with no identifier, naming data', () => {
    const body = JSON.stringify({ type: 'contact.updated', data: { firstName: 'Nobody' } });

    expect(issuePaths(() => parse(body))).toEqual(['data']);
  });

  it('refuses an envelope whose event data does not fit the canonical shape, with paths', () => {
    const envelope = fixtureJson('standard-webhooks', 'order.placed') as { data: Record<string, unknown> };
    envelope.data.total = { amountMinor: 42.5, currency: 'eur' };

    expect(issuePaths(() => parse(JSON.stringify(envelope))).sort()).toEqual([
      'data.total.amountMinor',
      'data.total.currency',
    ]);
  });

  it('refuses an envelope naming an event that is not canonical', () => {
    const body = JSON.stringify({ type: 'order.shipped', data: { email: 'a@b.co' } });

    expect(issuePaths(() => parse(body))).toEqual(['type']);
  });

  it('refuses a form submission with unknown fields, like the form endpoint', () => {
    const body = JSON.stringify({ email: 'a@b.co', admin: true });

    expect(() => parse(body)).toThrowError(expect.objectContaining({ name: 'ZodError' }));
  });
});
