import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import type { SourceKind } from '#sources/providers/provider.ts';

/**
 * Unique, correctly signed deliveries for each source kind, for the ingest benchmark. Bodies are
 * the documented provider examples in test/fixtures/providers with a new event / delivery id,
 * order id and email per call; signatures use each provider's documented algorithm with
 * node:crypto (Standard Webhooks with the reference `standardwebhooks` package), not Tend's
 * verifiers, as test/integration/sources.test.ts does.
 */
export interface Delivery {
  headers: Record<string, string>;
  body: string;
}

const ROOT = path.resolve(import.meta.dirname, '..');
// biome-ignore lint/suspicious/noExplicitAny: a fixture is edited in place; its shape is the provider's documented example.
const fixture = (provider: string, name: string): Record<string, any> =>
  JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/providers', provider, `${name}.json`), 'utf8'));
const hmac = (secret: string, data: string, encoding: 'base64' | 'hex') =>
  createHmac('sha256', secret).update(data).digest(encoding);

export function deliveryFactory(kind: SourceKind, secret: string, runId: string): () => Delivery {
  let n = 0;
  const json = { 'content-type': 'application/json' };
  switch (kind) {
    case 'standard-webhooks': {
      const signer = new Webhook(secret);
      const envelope = fixture('standard-webhooks', 'order.placed');
      return () => {
        n += 1;
        const id = `msg_ingest_${runId}_${n}`;
        envelope.data.email = `ingest-${runId}-sw-${n}@example.com`;
        envelope.data.userId = `user_${runId}_${n}`;
        envelope.data.key = `order:${runId}:${n}`;
        envelope.data.orderId = `${runId}-${n}`;
        const body = JSON.stringify(envelope);
        const now = new Date();
        return {
          body,
          headers: {
            ...json,
            'webhook-id': id,
            'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
            'webhook-signature': signer.sign(id, now, body),
          },
        };
      };
    }
    case 'shopify': {
      const order = fixture('shopify', 'orders-create');
      return () => {
        n += 1;
        const id = 9_000_000_000 + n;
        const email = `ingest-${runId}-shopify-${n}@example.com`;
        Object.assign(order, { id, admin_graphql_api_id: `gid://shopify/Order/${id}`, email, contact_email: email });
        order.customer = { ...order.customer, id, admin_graphql_api_id: `gid://shopify/Customer/${id}`, email };
        const body = JSON.stringify(order);
        return {
          body,
          headers: {
            ...json,
            'X-Shopify-Hmac-Sha256': hmac(secret, body, 'base64'),
            'X-Shopify-Topic': 'orders/create',
            'X-Shopify-Event-Id': `evt-${runId}-${n}`,
            'X-Shopify-Webhook-Id': `wh-${runId}-${n}`,
            'X-Shopify-Shop-Domain': 'tend-demo.myshopify.com',
          },
        };
      };
    }
    case 'stripe': {
      const event = fixture('stripe', 'checkout.session.completed');
      return () => {
        n += 1;
        event.id = `evt_${runId}_${n}`;
        event.created = Math.floor(Date.now() / 1000);
        event.data.object.id = `cs_${runId}_${n}`;
        event.data.object.customer_details.email = `ingest-${runId}-stripe-${n}@example.com`;
        event.data.object.customer = `cus_${runId}_${n}`;
        const body = JSON.stringify(event);
        const t = Math.floor(Date.now() / 1000);
        return { body, headers: { ...json, 'Stripe-Signature': `t=${t},v1=${hmac(secret, `${t}.${body}`, 'hex')}` } };
      };
    }
    case 'woocommerce': {
      const order = fixture('woocommerce', 'order.created');
      return () => {
        n += 1;
        order.id = 1_000_000 + n;
        order.billing.email = `ingest-${runId}-woo-${n}@example.com`;
        order.customer_id = 0;
        const body = JSON.stringify(order);
        return {
          body,
          headers: {
            ...json,
            'X-WC-Webhook-Signature': hmac(secret, body, 'base64'),
            'X-WC-Webhook-Topic': 'order.created',
            'X-WC-Webhook-Delivery-ID': `${runId}${n}`,
            'X-WC-Webhook-Source': 'https://shop.example/',
          },
        };
      };
    }
    case 'typeform': {
      const response = fixture('typeform', 'form_response');
      return () => {
        n += 1;
        const email = `ingest-${runId}-typeform-${n}@example.com`;
        response.event_id = `${runId}-${n}`;
        response.form_response.token = `${runId}-${n}`;
        for (const answer of response.form_response.answers) if (answer.type === 'email') answer.email = email;
        const body = JSON.stringify(response);
        return { body, headers: { ...json, 'Typeform-Signature': `sha256=${hmac(secret, body, 'base64')}` } };
      };
    }
  }
}
