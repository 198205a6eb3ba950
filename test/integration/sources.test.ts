import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Webhook } from 'standardwebhooks';
import { beforeAll, describe, expect, it } from 'vitest';
import { adminCall, drained, eventually, inboxRecord, stack, uniqueEmail } from '../support/local.ts';

/**
 * Each provider end to end on the local stack: a documented example, signed here with the
 * provider's documented algorithm (node:crypto, or the reference `standardwebhooks` package for
 * Standard Webhooks; never the code under test), goes through the HTTP gateway, the ingest
 * function, the stream and processing into a contact's timeline.
 */
const fixture = (provider: string, name: string): Record<string, any> =>
  JSON.parse(readFileSync(new URL(`../fixtures/providers/${provider}/${name}.json`, import.meta.url), 'utf8'));
const hmac = (secret: string, data: string | Buffer, encoding: 'base64' | 'hex') =>
  createHmac('sha256', secret).update(data).digest(encoding);

interface Signed {
  headers: Record<string, string>;
  body: string;
}
type Signer = (secret: string, body: string, deliveryId: string) => Signed;

const sign: Record<string, Signer> = {
  // Shopify: base64 HMAC-SHA256 of the raw body with the app secret.
  shopify: (secret, body, id) => ({
    body,
    headers: {
      'X-Shopify-Hmac-Sha256': hmac(secret, body, 'base64'),
      'X-Shopify-Topic': 'orders/create',
      'X-Shopify-Event-Id': id,
      'X-Shopify-Webhook-Id': randomUUID(),
      'X-Shopify-Shop-Domain': 'tend-demo.myshopify.com',
    },
  }),
  // Stripe: t=<unix>,v1=<hex HMAC-SHA256 of "t.body"> keyed by the whole whsec_ secret.
  stripe: (secret, body) => {
    const t = Math.floor(Date.now() / 1000);
    return { body, headers: { 'Stripe-Signature': `t=${t},v1=${hmac(secret, `${t}.${body}`, 'hex')}` } };
  },
  // WooCommerce: base64 HMAC-SHA256 of the body keyed by the webhook secret.
  woocommerce: (secret, body, id) => ({
    body,
    headers: {
      'X-WC-Webhook-Signature': hmac(secret, body, 'base64'),
      'X-WC-Webhook-Topic': 'order.created',
      'X-WC-Webhook-Delivery-ID': id,
      'X-WC-Webhook-Source': 'https://shop.example/',
    },
  }),
  // Typeform: "sha256=" + base64 HMAC-SHA256 of the body.
  typeform: (secret, body) => ({ body, headers: { 'Typeform-Signature': `sha256=${hmac(secret, body, 'base64')}` } }),
  // Standard Webhooks: the reference package signs "id.timestamp.body" with the whsec_ key.
  'standard-webhooks': (secret, body, id) => standardSigned(secret, body, id, new Date()),
};

function standardSigned(secret: string, body: string, id: string, at: Date): Signed {
  return {
    body,
    headers: {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(id, at, body),
    },
  };
}

/** Not any source's secret; a valid whsec_ value, so every signer (the reference package too) accepts it. */
const WRONG_SECRET = `whsec_${Buffer.from('wrong-secret-wrong-secret').toString('base64')}`;

async function post(sourceId: string, signed: Signed) {
  const res = await fetch(`${stack.api}/webhooks/${sourceId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signed.headers },
    body: signed.body,
  });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

async function contactTimeline(email: string) {
  const res = await adminCall('GET', `/api/contacts?email=${encodeURIComponent(email)}`);
  return res.status === 200 ? res.json : undefined;
}

/** One example per provider, with a unique email so tests do not meet each other's contacts. */
const examples = {
  shopify: (email: string) => {
    const order = fixture('shopify', 'orders-create');
    const id = Date.now() + Math.floor(Math.random() * 1000);
    Object.assign(order, { id, admin_graphql_api_id: `gid://shopify/Order/${id}`, email, contact_email: email });
    order.customer = { ...order.customer, id, admin_graphql_api_id: `gid://shopify/Customer/${id}`, email };
    return { body: JSON.stringify(order), event: 'order.placed' };
  },
  stripe: (email: string) => {
    const event = fixture('stripe', 'checkout.session.completed');
    event.id = `evt_${randomUUID().replaceAll('-', '')}`;
    event.created = Math.floor(Date.now() / 1000);
    event.data.object.customer_details.email = email;
    event.data.object.customer = `cus_${randomUUID().slice(0, 12)}`;
    return { body: JSON.stringify(event), event: 'order.placed' };
  },
  woocommerce: (email: string) => {
    const order = fixture('woocommerce', 'order.created');
    order.id = Math.floor(Math.random() * 1e9);
    order.billing.email = email;
    order.customer_id = 0;
    return { body: JSON.stringify(order), event: 'order.placed' };
  },
  typeform: (email: string) => {
    const response = fixture('typeform', 'form_response');
    response.event_id = randomUUID();
    response.form_response.token = randomUUID();
    for (const answer of response.form_response.answers) if (answer.type === 'email') answer.email = email;
    return { body: JSON.stringify(response), event: 'form.submitted' };
  },
  'standard-webhooks': (email: string) => {
    const form = fixture('standard-webhooks', 'form.submitted');
    return { body: JSON.stringify({ ...form, email }), event: 'form.submitted' };
  },
} as const;

const secrets: Record<string, string> = {
  shopify: `shpss_${randomUUID().replaceAll('-', '')}`,
  stripe: `whsec_${randomUUID().replaceAll('-', '')}`,
};

beforeAll(async () => {
  for (const kind of Object.keys(examples)) {
    const res = await adminCall('POST', '/api/sources', {
      sourceId: `it-${kind}`,
      name: `Integration ${kind}`,
      kind,
      ...(secrets[kind] ? { secret: secrets[kind] } : {}),
    });
    expect(res.status).toBe(201);
    secrets[kind] ??= res.json.secret;
  }
});

describe.each(Object.keys(examples) as (keyof typeof examples)[])('%s source', (kind) => {
  const sourceId = `it-${kind}`;
  const signer = sign[kind] as Signer;

  it('accepts a correctly signed documented example and normalises it onto the timeline', async () => {
    const email = uniqueEmail(kind);
    const { body, event } = examples[kind](email);
    const res = await post(sourceId, signer(secrets[kind] as string, body, randomUUID()));
    expect(res.status).toBe(202);
    expect(res.json.status).toBe('accepted');
    const view = await eventually(`${kind} event on ${email}`, async () => {
      const v = await contactTimeline(email);
      return v?.timeline.some((e: { name: string }) => e.name === event) ? v : undefined;
    });
    const entry = view.timeline.find((e: { name: string }) => e.name === event);
    expect(entry.data.sourceId).toBe(sourceId);
    if (event === 'order.placed') expect(entry.data.total.amountMinor).toBeGreaterThan(0);
  });

  it('refuses a body altered by one byte, a wrong secret and (Stripe, Standard Webhooks) a stale timestamp, storing nothing', async () => {
    const email = uniqueEmail(`${kind}-refused`);
    const { body } = examples[kind](email);
    const id = randomUUID();
    const good = signer(secrets[kind] as string, body, id);
    // Stored deliveries are counted from the stream: settle the earlier tests' counts first.
    await drained();
    const before = (await adminCall('GET', `/api/sources/${sourceId}`)).json.source.stats ?? {};

    // One byte changed: the first letter of the email.
    const oneByte = { ...good, body: body.replace(email, `${email[0] === 'x' ? 'y' : 'x'}${email.slice(1)}`) };
    expect(Buffer.compare(Buffer.from(oneByte.body), Buffer.from(body))).not.toBe(0);
    expect(Buffer.byteLength(oneByte.body)).toBe(Buffer.byteLength(body));
    expect((await post(sourceId, oneByte)).status).toBe(401);
    expect((await post(sourceId, signer(WRONG_SECRET, body, id))).status).toBe(401);
    if (kind === 'stripe') {
      const t = Math.floor(Date.now() / 1000) - 301;
      const stale = {
        body,
        headers: { 'Stripe-Signature': `t=${t},v1=${hmac(secrets.stripe as string, `${t}.${body}`, 'hex')}` },
      };
      const refused = await post(sourceId, stale);
      expect(refused.status).toBe(401);
      expect(refused.json.error.code).toBe('stale_timestamp');
    }
    if (kind === 'standard-webhooks') {
      const stale = standardSigned(secrets[kind] as string, body, id, new Date(Date.now() - 6 * 60_000));
      const refused = await post(sourceId, stale);
      expect(refused.status).toBe(401);
      expect(refused.json.error.code).toBe('stale_timestamp');
    }

    await drained();
    const after = (await adminCall('GET', `/api/sources/${sourceId}`)).json.source.stats ?? {};
    expect(after.accepted ?? 0).toBe(before.accepted ?? 0);
    expect(await contactTimeline(email)).toBeUndefined();
    // The genuine delivery is new to the source: nothing was stored under its id before. It is
    // counted once, from the stream.
    expect((await post(sourceId, good)).json.status).toBe('accepted');
    await drained();
    const counted = (await adminCall('GET', `/api/sources/${sourceId}`)).json.source.stats;
    expect(counted.accepted).toBe((before.accepted ?? 0) + 1);
    expect(counted.lastDeliveryAt > (before.lastDeliveryAt ?? '')).toBe(true);
  });

  it('turns the same delivery received three times into one event, one timeline entry and one enrollment', async () => {
    const email = uniqueEmail(`${kind}-thrice`);
    const { body, event } = examples[kind](email);
    const signed = signer(secrets[kind] as string, body, randomUUID());
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post(sourceId, signed)).json.status);
    expect(statuses).toEqual(['accepted', 'duplicate', 'duplicate']);
    const view = await eventually(`${kind} event`, async () => {
      const v = await contactTimeline(email);
      return v?.timeline.some((e: { name: string }) => e.name === event) ? v : undefined;
    });
    // A form starts onboarding, an order loyalty. (The documented example orders are years old,
    // so 60 days without an order has passed as well: churn rescue may enter too, once.)
    const journey = event === 'form.submitted' ? 'onboarding' : 'loyalty';
    const journeysOf = (v: Record<string, any> | undefined) =>
      (v?.enrollments ?? []).map((e: { journeyId: string }) => e.journeyId);
    await eventually(`${kind} enrollment`, async () =>
      journeysOf(await contactTimeline(email)).includes(journey) ? true : undefined,
    );
    await drained();
    const again = (await contactTimeline(email)) as Record<string, any>;
    expect(again.timeline.filter((e: { name: string }) => e.name === event)).toHaveLength(1);
    const journeys: string[] = journeysOf(again);
    expect(journeys.filter((j) => j === journey)).toHaveLength(1);
    expect(new Set(journeys).size).toBe(journeys.length);
    expect(journeys.every((j) => j === journey || j === 'churn-rescue')).toBe(true);
    expect(view.contact.email).toBe(email);
  });
});

describe('a verified delivery on a topic Tend does not use', () => {
  const sourceId = 'it-shopify-unused-topics';
  const secret = `shpss_${randomUUID().replaceAll('-', '')}`;
  const shopify = (topic: string, body: string) => ({
    body,
    headers: {
      'X-Shopify-Hmac-Sha256': hmac(secret, body, 'base64'),
      'X-Shopify-Topic': topic,
      'X-Shopify-Event-Id': randomUUID(),
    },
  });
  const stats = async () => (await adminCall('GET', `/api/sources/${sourceId}`)).json.source.stats ?? {};

  beforeAll(async () => {
    const res = await adminCall('POST', '/api/sources', { sourceId, name: 'Unused topics', kind: 'shopify', secret });
    expect(res.status).toBe(201);
  });

  it('answers 202 ignored with the reason, stores it as ignored, counts it, and touches no contact', async () => {
    // Shopify's documented orders/fulfilled body is the order itself, so this one names a real
    // (unique) email and customer: processed, it would create a contact. Tend does not use the topic.
    const email = uniqueEmail('unused-topic');
    const customerId = String(Date.now());
    const order = fixture('shopify', 'orders-create');
    Object.assign(order, { email, contact_email: email });
    order.customer = { ...order.customer, email, admin_graphql_api_id: `gid://shopify/Customer/${customerId}` };
    const deliveries = [
      { topic: 'products/create', body: JSON.stringify(fixture('shopify', 'products-create')) },
      { topic: 'orders/fulfilled', body: JSON.stringify(order) },
    ];
    await drained();
    const before = await stats();

    for (const { topic, body } of deliveries) {
      const res = await post(sourceId, shopify(topic, body));
      const reason = `shopify topic "${topic}" is not used by Tend`;
      expect(res.status).toBe(202);
      expect(res.json).toMatchObject({ status: 'ignored', topic, reason });
      expect(await inboxRecord(res.json.id)).toMatchObject({ sourceId, topic, status: 'ignored', reason });
    }
    // Stored deliveries are counted from the stream.
    await drained();
    const after = await stats();
    expect(after.ignored ?? 0).toBe((before.ignored ?? 0) + 2);
    expect(after.accepted ?? 0).toBe(before.accepted ?? 0);

    // A used topic posted afterwards goes through the same stream; once it has reached its
    // contact, the ignored ones before it would have too, had they been processed.
    const control = uniqueEmail('unused-topic-control');
    const placed = examples.shopify(control);
    expect((await post(sourceId, shopify('orders/create', placed.body))).status).toBe(202);
    await eventually('the control order on its contact', async () =>
      (await contactTimeline(control))?.timeline.some((e: { name: string }) => e.name === 'order.placed')
        ? true
        : undefined,
    );
    expect(await contactTimeline(email)).toBeUndefined();
    expect((await adminCall('GET', `/api/contacts?shopifyCustomerId=${customerId}`)).status).toBe(404);
  });
});
