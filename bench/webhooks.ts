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

/** The address of the `n`th webhook (from 1) a factory of this run and phase makes. */
export const benchEmail = (runId: string, phase: string, n: number) =>
  `${benchEmailPrefix(runId, phase)}${n}@example.com`;

/**
 * Makes unique signed webhooks: each call a new webhook-id and a new email address, signed with
 * the reference `standardwebhooks` package (an independent signer, as the tests use) at the
 * current second. Signing costs ~10 µs (the package hashes in JavaScript), cheap enough to do
 * per request inside autocannon's `setupRequest` instead of pre-signing a pool.
 */
export function createWebhookFactory(secret: string, runId: string, phase: string) {
  return signedFactory(secret, runId, phase, (count) => {
    const email = benchEmail(runId, phase, count);
    return { email, body: JSON.stringify({ email, firstName: 'Bench' }) };
  });
}

/** One order of the demo shop's mid-priced kind: a linen throw, €89 (no loyalty tier-up). */
const ORDER_LINE = { name: 'Linen throw', quantity: 1, unitPrice: { amountMinor: 8900, currency: 'EUR' } };

/**
 * Makes unique signed `order.placed` event envelopes, the shape the demo shop posts through the
 * demo form source (a Standard Webhooks source): each call a new webhook id, order and cart,
 * placed by the next of `customers` in turn (existing contacts, so identity finds them).
 */
export function createOrderFactory(secret: string, runId: string, phase: string, customers: readonly string[]) {
  if (customers.length === 0) throw new Error('orders need at least one existing customer');
  return signedFactory(secret, runId, phase, (count) => {
    const email = customers[(count - 1) % customers.length] as string;
    const orderId = `bench-${runId}-${phase}-${count}`;
    const body = JSON.stringify({
      type: 'order.placed',
      timestamp: new Date().toISOString(),
      data: { email, orderId, cartId: `cart-${orderId}`, lineItems: [ORDER_LINE], total: ORDER_LINE.unitPrice },
    });
    return { email, body };
  });
}

/** Numbers each webhook of a run and phase, and signs the body `make` gives for that number. */
function signedFactory(
  secret: string,
  runId: string,
  phase: string,
  make: (count: number) => { email: string; body: string },
) {
  const signer = new Webhook(secret);
  let count = 0;
  return {
    get count() {
      return count;
    },
    next(): SignedWebhook {
      count += 1;
      const id = `msg_bench_${runId}_${phase}_${count}`;
      const { email, body } = make(count);
      return { id, email, body, headers: signedWebhookHeaders(signer, id, new Date(), body) };
    },
  };
}
