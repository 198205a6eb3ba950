import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks verification (webhook-id, webhook-timestamp, webhook-signature:
 * `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, secret `whsec_<base64>`, ±5 minutes).
 *
 * Written on node:crypto rather than the `standardwebhooks` package because that package
 * decodes the body to a string before signing (so it is not over the raw bytes), reads the wall
 * clock itself and hashes in JavaScript. The package is still used by the tests and the demo as
 * an independent signer.
 */
export const TOLERANCE_SECONDS = 5 * 60;

export type SignatureCheck =
  | { ok: true; webhookId: string; timestamp: number }
  | { ok: false; reason: 'missing_headers' | 'bad_timestamp' | 'stale_timestamp' | 'bad_signature'; message: string };

export interface SignedRequest {
  webhookId: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
  body: Buffer;
}

/** Decodes a `whsec_` secret into its key bytes. */
export function secretKey(secret: string): Buffer {
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
  if (key.length === 0) throw new Error('webhook secret is empty');
  return key;
}

/** The `v1,<base64>` signature of a message, as a sender computes it. */
export function signStandardWebhook(secret: string, webhookId: string, timestamp: number, body: Buffer): string {
  const mac = createHmac('sha256', secretKey(secret));
  mac.update(`${webhookId}.${timestamp}.`);
  mac.update(body);
  return `v1,${mac.digest('base64')}`;
}

/** Verifies a request against a secret; `nowSeconds` comes from the caller's clock. */
export function verifyStandardWebhook(secret: string, req: SignedRequest, nowSeconds: number): SignatureCheck {
  const { webhookId, timestamp, signature } = req;
  if (!webhookId || !timestamp || !signature) {
    return {
      ok: false,
      reason: 'missing_headers',
      message: 'webhook-id, webhook-timestamp and webhook-signature headers are required',
    };
  }
  if (!/^\d{1,12}$/.test(timestamp)) {
    return { ok: false, reason: 'bad_timestamp', message: 'webhook-timestamp must be whole seconds since the epoch' };
  }
  const ts = Number(timestamp);
  if (Math.abs(nowSeconds - ts) > TOLERANCE_SECONDS) {
    return {
      ok: false,
      reason: 'stale_timestamp',
      message: `webhook-timestamp is more than ${TOLERANCE_SECONDS} seconds away from the server clock`,
    };
  }
  const expected = Buffer.from(signStandardWebhook(secret, webhookId, ts, req.body).slice(3), 'base64');
  // The header may carry several space-separated signatures (key rotation); any v1 match counts.
  for (const candidate of signature.split(' ')) {
    const [version, value] = candidate.split(',', 2);
    if (version !== 'v1' || !value) continue;
    const given = Buffer.from(value, 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) {
      return { ok: true, webhookId, timestamp: ts };
    }
  }
  return { ok: false, reason: 'bad_signature', message: 'webhook-signature does not match the body and secret' };
}
