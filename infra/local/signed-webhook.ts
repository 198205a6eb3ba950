import { Webhook } from 'standardwebhooks';

/**
 * Headers of a form submission signed the way a sender does it, with the reference
 * `standardwebhooks` package (not Tend's own verifier): used by the demo, the tests and the
 * benchmark. Pass a `Webhook` to reuse its decoded key across many messages.
 */
export function signedWebhookHeaders(
  signer: Webhook | string,
  id: string,
  at: Date,
  body: string,
): Record<'content-type' | 'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  const webhook = typeof signer === 'string' ? new Webhook(signer) : signer;
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': webhook.sign(id, at, body),
  };
}
