import { spawnSync } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCall, eventually, postWebhook, stack, tieTwoIdentifiedContacts, uniqueEmail } from '../support/local.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const fixture = (provider: string, name: string): Record<string, any> =>
  JSON.parse(readFileSync(new URL(`../fixtures/providers/${provider}/${name}.json`, import.meta.url), 'utf8'));
const hmac = (secret: string, data: string, encoding: 'base64' | 'hex') =>
  createHmac('sha256', secret).update(data).digest(encoding);
const contact = async (query: string) => {
  const res = await adminCall('GET', `/api/contacts?${query}`);
  return res.status === 200 ? res.json : undefined;
};

let apiKey = '';
beforeAll(async () => {
  const key = await adminCall('POST', '/api/keys', {
    name: 'integration',
    scopes: ['events:write', 'contacts:import'],
  });
  expect(key.status).toBe(201);
  apiKey = key.json.token;
});

async function track(body: unknown, token = apiKey) {
  const res = await fetch(`${stack.api}/api/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

describe('one contact per person', () => {
  it('joins a Shopify customer, the same Stripe customer and a form submission into one contact with all three ids', async () => {
    const email = uniqueEmail('three-sources');
    const shopifyId = String(Date.now());
    const stripeId = `cus_${randomUUID().slice(0, 14)}`;
    const shopSecret = `shpss_${randomUUID()}`;
    const stripeSecret = `whsec_${randomUUID()}`;
    await adminCall('POST', '/api/sources', { sourceId: 'id-shop', name: 'Shop', kind: 'shopify', secret: shopSecret });
    await adminCall('POST', '/api/sources', {
      sourceId: 'id-stripe',
      name: 'Billing',
      kind: 'stripe',
      secret: stripeSecret,
    });

    const customer = fixture('shopify', 'customers-create');
    Object.assign(customer, {
      id: Number(shopifyId),
      email,
      phone: null,
      admin_graphql_api_id: `gid://shopify/Customer/${shopifyId}`,
    });
    customer.addresses = [];
    customer.default_address = undefined;
    const shopBody = JSON.stringify(customer);
    const shop = await fetch(`${stack.api}/webhooks/id-shop`, {
      method: 'POST',
      headers: {
        'X-Shopify-Hmac-Sha256': hmac(shopSecret, shopBody, 'base64'),
        'X-Shopify-Topic': 'customers/create',
        'X-Shopify-Event-Id': randomUUID(),
      },
      body: shopBody,
    });
    expect(shop.status).toBe(202);

    const session = fixture('stripe', 'checkout.session.completed');
    session.id = `evt_${randomUUID().replaceAll('-', '')}`;
    session.created = Math.floor(Date.now() / 1000);
    session.data.object.customer = stripeId;
    session.data.object.customer_details.email = email.toUpperCase();
    session.data.object.customer_details.phone = null;
    const stripeBody = JSON.stringify(session);
    const t = Math.floor(Date.now() / 1000);
    const stripe = await fetch(`${stack.api}/webhooks/id-stripe`, {
      method: 'POST',
      headers: { 'Stripe-Signature': `t=${t},v1=${hmac(stripeSecret, `${t}.${stripeBody}`, 'hex')}` },
      body: stripeBody,
    });
    expect(stripe.status).toBe(202);
    const form = await postWebhook({ body: JSON.stringify({ email, firstName: 'Kat' }) });
    expect(form.status).toBe(202);

    const view = await eventually('three events on one contact', async () => {
      const v = await contact(`shopifyCustomerId=${shopifyId}`);
      const names = new Set(v?.timeline.map((e: { name: string }) => e.name));
      return names.has('order.placed') && names.has('form.submitted') && names.has('contact.updated') ? v : undefined;
    });
    expect(view.contact).toMatchObject({
      email,
      externalIds: { shopifyCustomerId: shopifyId, stripeCustomerId: stripeId },
    });
    expect((await contact(`stripeCustomerId=${stripeId}`))?.contact.contactId).toBe(view.contact.contactId);
    expect((await contact(`email=${encodeURIComponent(email)}`))?.contact.contactId).toBe(view.contact.contactId);
  });

  it('records a conflict when one event names two identified contacts, lists it (API and CLI), and merges nothing', async () => {
    const { a, b, orderId, conflict } = await tieTwoIdentifiedContacts(apiKey);

    // The userId outranks the email, so B is the contact the event went to; A is the other.
    expect(conflict).toMatchObject({
      kind: 'two-contacts',
      status: 'open',
      contactIds: [b.contactId, a.contactId],
      identifiers: { email: a.email, userId: b.userId },
    });
    expect(conflict.detail).toContain(a.contactId);

    const cli = spawnSync(
      process.execPath,
      ['bin/tend.js', 'conflicts', 'list', '--json', '--api', stack.api, '--token', stack.adminToken],
      { cwd: ROOT, encoding: 'utf8', timeout: 30_000 },
    );
    expect(cli.status).toBe(0);
    const listed = (JSON.parse(cli.stdout) as { conflictId: string }[]).find(
      (c) => c.conflictId === conflict.conflictId,
    );
    expect(listed).toEqual(conflict);

    // Two contacts still: each keeps its own email; A gained no userId, B no second email.
    const viewB = await eventually('the order on B', async () => {
      const v = await contact(`userId=${b.userId}`);
      return v?.timeline.some((e: { name: string; data: { orderId?: string } }) => e.data.orderId === orderId)
        ? v
        : undefined;
    });
    const viewA = await contact(`email=${encodeURIComponent(a.email)}`);
    expect(viewB.contact).toMatchObject({ contactId: b.contactId, email: b.email, externalIds: { userId: b.userId } });
    expect(viewA?.contact.contactId).toBe(a.contactId);
    expect(viewA?.contact.email).toBe(a.email);
    expect(viewA?.contact.externalIds?.userId).toBeUndefined();
    expect(viewA?.contact.mergedInto).toBeUndefined();
    expect(viewB.contact.mergedInto).toBeUndefined();
    expect(viewA?.timeline.map((e: { name: string }) => e.name)).not.toContain('order.placed');
    expect([...(viewA?.timeline ?? []), ...viewB.timeline].map((e: { name: string }) => e.name)).not.toContain(
      'contact.merged',
    );
  });
});

describe('events API', () => {
  it('identifies and tracks in one batch, stores each messageId once, and merges an anonymous visitor', async () => {
    const email = uniqueEmail('events');
    const anonymousId = `anon-${randomUUID()}`;
    const batch = {
      batch: [
        {
          type: 'track',
          messageId: `m-${randomUUID()}`,
          anonymousId,
          event: 'checkout.started',
          properties: { cartId: 'cart-1' },
        },
        {
          type: 'identify',
          messageId: `m-${randomUUID()}`,
          anonymousId,
          userId: `u-${anonymousId}`,
          traits: { email, plan: 'pro' },
        },
      ],
    };
    const first = await track(batch);
    const again = await track(batch);
    expect(first.status).toBe(202);
    expect(again.status).toBe(200);
    expect(again.json.results.map((r: { status: string }) => r.status)).toEqual(['duplicate', 'duplicate']);

    const view = await eventually('identified visitor', async () => {
      const v = await contact(`email=${encodeURIComponent(email)}`);
      const both =
        v?.timeline.some((e: { name: string }) => e.name === 'checkout.started') && v.contact.properties.plan;
      return both ? v : undefined;
    });
    expect(view.contact).toMatchObject({ anonymousIds: [anonymousId], properties: { plan: 'pro' } });
    expect((await contact(`anonymousId=${anonymousId}`))?.contact.contactId).toBe(view.contact.contactId);
  });

  it('refuses a missing key, a key without the scope, an oversize body and a bad message, storing nothing', async () => {
    const importOnly = (await adminCall('POST', '/api/keys', { name: 'imports', scopes: ['contacts:import'] })).json
      .token;
    const message = {
      type: 'track',
      messageId: `m-${randomUUID()}`,
      email: uniqueEmail('refused'),
      event: 'order.placed',
      properties: {},
    };
    expect((await track(message, 'nope')).status).toBe(401);
    expect((await track(message, importOnly)).status).toBe(403);
    expect((await track('x'.repeat(600 * 1024))).status).toBe(413);
    const bad = await track(message);
    expect(bad.status).toBe(422);
    expect(bad.json.error.message).toContain('properties.orderId');
    const fixed = await track({
      ...message,
      properties: { orderId: 'o-1', total: { amountMinor: 500, currency: 'EUR' } },
    });
    expect(fixed.json.results[0].status).toBe('accepted');
  });
});

describe('npx tend import', () => {
  it('imports a CSV through identity resolution, reports bad rows by line, and counts a re-import as unchanged', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tend-import-'));
    const file = path.join(dir, 'contacts.csv');
    const [a, b] = [uniqueEmail('csv-a'), uniqueEmail('csv-b')];
    writeFileSync(file, `Email,First Name,Plan\n${a},Ada,pro\nnot-an-email,Bad,free\n${b},Bob,\n`);
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ['bin/tend.js', 'import', file, ...args, '--api', stack.api, '--token', apiKey], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
      });

    const dry = run('--dry-run');
    expect(dry.stdout).toContain('Dry run of contacts.csv');
    expect(dry.stdout).toContain('2 would be created');

    const out = run('--errors', path.join(dir, 'errors.csv'));
    expect(out.status).toBe(1); // some rows were refused
    expect(out.stdout).toContain('3 rows; 2 were created, 0 were updated, 0 unchanged, 1 refused');
    expect(out.stderr).toContain('importing: 100%');
    const report = readFileSync(path.join(dir, 'errors.csv'), 'utf8');
    expect(report.split('\n')[0]).toBe('row,error,Email,First Name,Plan');
    expect(report).toContain('3,"Email: ""not-an-email"" is not a valid email address",not-an-email,Bad,free');

    writeFileSync(file, `Email,First Name,Plan\n${a},Ada,pro\n`);
    const again = run();
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('1 unchanged');
  });
});

describe('outbound webhooks', () => {
  const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  let server: http.Server;
  let url = '';
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(received.length === 1 ? 500 : 204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('posts subscribed events signed with Standard Webhooks, retries a failure, and logs each attempt', async () => {
    const created = await adminCall('POST', '/api/endpoints', { url, events: ['order.refunded'] });
    expect(created.status).toBe(201);
    const { secret, endpoint } = created.json;
    const email = uniqueEmail('outbound');
    const res = await track({
      type: 'track',
      messageId: `m-${randomUUID()}`,
      email,
      event: 'order.refunded',
      properties: { orderId: 'o-9', amount: { amountMinor: 1200, currency: 'EUR' } },
    });
    expect(res.status).toBe(202);

    // The first attempt gets a 500; the retry (scheduled, time-scaled locally) gets a 204.
    const log = await eventually(
      'a delivered webhook',
      async () => {
        const out = await adminCall('GET', `/api/endpoints/${endpoint.endpointId}/deliveries`);
        return out.json.deliveries?.find((d: { status: string }) => d.status === 'delivered') ? out.json : undefined;
      },
      60_000,
    );
    expect(log.deliveries[0].attempts.map((a: { statusCode?: number }) => a.statusCode)).toEqual([500, 204]);

    const last = received.at(-1) as (typeof received)[number];
    const id = String(last.headers['webhook-id']);
    const timestamp = String(last.headers['webhook-timestamp']);
    const key = Buffer.from(String(secret).slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${last.body}`).digest('base64');
    expect(String(last.headers['webhook-signature']).split(' ')).toContain(`v1,${expected}`);
    expect(JSON.parse(last.body)).toMatchObject({ type: 'order.refunded', data: { details: { orderId: 'o-9' } } });
    expect(received[0]?.headers['webhook-id']).toBe(id); // a retry is the same message
  });
});
