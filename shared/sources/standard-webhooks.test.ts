import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { verifyStandardWebhook } from './standard-webhooks.ts';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const NOW = 1_750_000_000;

/** Signs with the independent reference implementation, not with the code under test. */
const signed = (body: string, id = 'msg_1', ts = NOW, secret = SECRET) => ({
  webhookId: id,
  timestamp: String(ts),
  signature: new Webhook(secret).sign(id, new Date(ts * 1000), body),
  body: Buffer.from(body),
});

describe('verifyStandardWebhook', () => {
  it('accepts a body signed by the reference implementation', () => {
    expect(verifyStandardWebhook(SECRET, signed('{"email":"a@b.co"}'), NOW)).toEqual({
      ok: true,
      webhookId: 'msg_1',
      timestamp: NOW,
    });
  });

  it('refuses a body altered by one byte', () => {
    const req = signed('{"email":"a@b.co"}');
    req.body = Buffer.from('{"email":"a@b.cp"}');
    expect(verifyStandardWebhook(SECRET, req, NOW)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a signature made with another secret', () => {
    const req = signed('{}', 'msg_1', NOW, 'whsec_c2VjcmV0LW9mLXNvbWVib2R5LWVsc2U=');
    expect(verifyStandardWebhook(SECRET, req, NOW)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('refuses timestamps more than five minutes away, either way', () => {
    expect(verifyStandardWebhook(SECRET, signed('{}', 'm', NOW - 301), NOW)).toMatchObject({
      reason: 'stale_timestamp',
    });
    expect(verifyStandardWebhook(SECRET, signed('{}', 'm', NOW + 301), NOW)).toMatchObject({
      reason: 'stale_timestamp',
    });
    expect(verifyStandardWebhook(SECRET, signed('{}', 'm', NOW - 299), NOW)).toMatchObject({ ok: true });
  });

  it('refuses missing headers and non-numeric timestamps', () => {
    expect(verifyStandardWebhook(SECRET, { ...signed('{}'), signature: undefined }, NOW)).toMatchObject({
      reason: 'missing_headers',
    });
    expect(verifyStandardWebhook(SECRET, { ...signed('{}'), timestamp: '17e8' }, NOW)).toMatchObject({
      reason: 'bad_timestamp',
    });
  });

  it('accepts any of several signatures, as during a key rotation', () => {
    const req = signed('{}');
    req.signature = `v1,bm90LWl0 ${req.signature}`;
    expect(verifyStandardWebhook(SECRET, req, NOW).ok).toBe(true);
  });

  it('verifies over the raw bytes, even when they are not valid UTF-8', () => {
    const body = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    const key = Buffer.from(SECRET.slice(6), 'base64');
    const mac = createHmac('sha256', key)
      .update(Buffer.concat([Buffer.from(`msg_1.${NOW}.`), body]))
      .digest('base64');
    const req = { webhookId: 'msg_1', timestamp: String(NOW), signature: `v1,${mac}`, body };
    expect(verifyStandardWebhook(SECRET, req, NOW).ok).toBe(true);
    expect(verifyStandardWebhook(SECRET, { ...req, body: Buffer.from(body.toString('utf8')) }, NOW).ok).toBe(false);
  });
});
