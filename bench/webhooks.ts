import { Webhook } from 'standardwebhooks';
import { signedWebhookHeaders } from '../infra/local/signed-webhook.ts';

/** One unique, correctly signed demo-form submission. */
export interface SignedWebhook {
  id: string;
  email: string;
  headers: Record<string, string>;
  body: string;
}

/** The address every benchmark contact of one run and phase shares a prefix with. */
export const benchEmailPrefix = (runId: string, phase: string) => `bench-${runId}-${phase}-`;

/**
 * Makes unique signed webhooks: each call a new webhook-id and a new email address, signed with
 * the reference `standardwebhooks` package (an independent signer, as the tests use) at the
 * current second. Signing costs ~10 µs (the package hashes in JavaScript), cheap enough to do
 * per request inside autocannon's `setupRequest` instead of pre-signing a pool.
 */
export function createWebhookFactory(secret: string, runId: string, phase: string) {
  const signer = new Webhook(secret);
  const prefix = benchEmailPrefix(runId, phase);
  let count = 0;
  return {
    get count() {
      return count;
    },
    next(): SignedWebhook {
      count += 1;
      const id = `msg_bench_${runId}_${phase}_${count}`;
      const email = `${prefix}${count}@example.com`;
      const body = JSON.stringify({ email, firstName: 'Bench' });
      const now = new Date();
      return {
        id,
        email,
        body,
        headers: signedWebhookHeaders(signer, id, now, body),
      };
    },
  };
}
