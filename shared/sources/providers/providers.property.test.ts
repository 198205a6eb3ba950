import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { delivery, fixtureJson, NOW } from '../../../test/fixtures/providers/fixtures.ts';
import { providers, SOURCE_KINDS, type SourceKind } from './index.ts';

// CI runs one fixed seed so a red run reproduces; elsewhere every run explores new inputs.
if (process.env.CI) fc.configureGlobal({ seed: 20_261_123 });

/**
 * Property-based tests of every provider on its own: `verify` never throws and never accepts a
 * random signature; `parse` either returns or throws a ZodError (which the ingest maps to 422).
 */

const SECRETS: Record<SourceKind, string> = {
  'standard-webhooks': 'whsec_dGVzdC1zZWNyZXQtZm9yLXRoZS1mb3Jt',
  shopify: 'shopify-client-secret',
  stripe: 'whsec_stripe_endpoint_secret',
  woocommerce: 'woo-webhook-secret',
  typeform: 'typeform-webhook-secret',
};

const FIXTURES: Record<SourceKind, string[]> = {
  'standard-webhooks': ['form.submitted', 'order.placed'],
  shopify: [
    'checkouts-create',
    'checkouts-update',
    'customers-create',
    'customers-update',
    'orders-create',
    'orders-paid',
    'orders-updated',
    'products-create',
    'refunds-create',
  ],
  stripe: [
    'checkout.session.completed',
    'customer.subscription.created',
    'customer.subscription.deleted',
    'invoice.paid',
    'invoice.payment_failed',
  ],
  woocommerce: ['customer.created', 'order.created', 'order.created.pending', 'order.updated.refunded'],
  typeform: ['form_response'],
};

/** Headers `parse` reads (topic and delivery id), with the fixture's real topic. */
function parseHeaders(kind: SourceKind, name: string, id: string): Record<string, string> {
  switch (kind) {
    case 'shopify':
      return { 'X-Shopify-Topic': name.replace('-', '/'), 'X-Shopify-Event-Id': id };
    case 'woocommerce':
      return { 'X-WC-Webhook-Topic': name.split('.').slice(0, 2).join('.'), 'X-WC-Webhook-Delivery-ID': id };
    case 'standard-webhooks':
      return { 'webhook-id': id, 'webhook-timestamp': String(NOW) };
    default:
      return {};
  }
}

const nasty = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom<unknown>(
    null,
    '',
    [],
    {},
    -1,
    1.5,
    2 ** 53 + 2,
    9e15,
    1e21,
    1e300,
    'x'.repeat(300),
    '2026-01-01T00:00:00Z',
    '2026-01-01T00:00:00+02:00',
    '2026-01-01T00:00:00',
    '+14155550123',
    'ada@example.com',
    '19.99',
    '-0.5',
    '9'.repeat(400),
    'USD',
  ),
);

function paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(prefix);
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) paths(v, [...prefix, i], out);
  } else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
  return out;
}

type Mutation = { at: number; del: boolean; value: unknown };
const mutationArb: fc.Arbitrary<Mutation> = fc.record({ at: fc.nat(), del: fc.boolean(), value: nasty });

function mutate(value: unknown, mutations: Mutation[]): unknown {
  let root = structuredClone(value);
  for (const m of mutations) {
    const all = paths(root);
    const path = all[m.at % all.length] as (string | number)[];
    if (path.length === 0) {
      root = m.del ? {} : m.value;
      continue;
    }
    let parent = root as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
    const last = path[path.length - 1] as string | number;
    if (!m.del) parent[last] = m.value;
    else if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  }
  return root;
}

/** Non-ZodError throws found and pinned below; empty since they were fixed. */
const KNOWN_BUGS: RegExp[] = [];
const isKnownBug = (error: unknown) =>
  error instanceof Error && !(error instanceof ZodError) && KNOWN_BUGS.some((re) => re.test(error.message));

const hex = (bytes: number) =>
  fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => Buffer.from(b).toString('hex'));
const b64 = (bytes: number) =>
  fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => Buffer.from(b).toString('base64'));
const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }));

/** Every header any provider reads, with random, sometimes well-formed, never correct values. */
const headersArb = fc.record(
  {
    'x-shopify-hmac-sha256': fc.oneof(text, b64(32)),
    'x-shopify-topic': fc.oneof(text, fc.constant('orders/create')),
    'x-shopify-event-id': text,
    'x-wc-webhook-signature': fc.oneof(text, b64(32)),
    'x-wc-webhook-topic': fc.oneof(text, fc.constant('order.created')),
    'x-wc-webhook-delivery-id': text,
    'typeform-signature': fc.oneof(
      text,
      b64(32).map((s) => `sha256=${s}`),
    ),
    'stripe-signature': fc.oneof(
      text,
      fc.tuple(fc.oneof(fc.constant(NOW), fc.integer()), hex(32)).map(([t, s]) => `t=${t},v1=${s}`),
    ),
    'webhook-id': text,
    'webhook-timestamp': fc.oneof(text, fc.integer({ min: NOW - 400, max: NOW + 400 }).map(String)),
    'webhook-signature': fc.oneof(
      text,
      b64(32).map((s) => `v1,${s}`),
    ),
  },
  { requiredKeys: [] },
);

const bodyArb = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
  fc.json().map((s) => Buffer.from(s)),
  fc.string().map((s) => Buffer.from(s)),
);

/**
 * The real secret or another one of the shape the API accepts for the kind (a Standard Webhooks
 * secret whose base64 decodes to nothing makes `secretKey` throw; createSource refuses those).
 */
const secretArb = (kind: SourceKind) =>
  fc.oneof(
    fc.constant(SECRETS[kind]),
    kind === 'standard-webhooks'
      ? b64(24).map((s) => `whsec_${s}`)
      : kind === 'stripe'
        ? fc.string({ minLength: 2 }).map((s) => `whsec_${s}`)
        : fc.string({ minLength: 8 }),
  );

describe('provider verify with garbage', () => {
  for (const kind of SOURCE_KINDS) {
    it(`${kind}: never throws, never accepts a random signature, always says why`, () => {
      fc.assert(
        fc.property(bodyArb, headersArb, secretArb(kind), (body, headers, secret) => {
          const check = providers[kind].verify(secret, delivery(body, headers as Record<string, string>));
          expect(check.ok).toBe(false);
          if (!check.ok) expect(check.message.trim()).not.toBe('');
        }),
        { numRuns: 200 },
      );
    });
  }

  it('verify accepts exactly what the documented algorithms sign (sanity check of the signers)', () => {
    fc.assert(
      fc.property(bodyArb, (body) => {
        const mac = (key: string | Buffer, ...parts: (string | Buffer)[]) => {
          const h = createHmac('sha256', key);
          for (const p of parts) h.update(p);
          return h.digest();
        };
        const swKey = Buffer.from(SECRETS['standard-webhooks'].slice(6), 'base64');
        const cases: [SourceKind, Record<string, string>][] = [
          [
            'shopify',
            {
              'X-Shopify-Hmac-Sha256': mac(SECRETS.shopify, body).toString('base64'),
              'X-Shopify-Topic': 't',
              'X-Shopify-Event-Id': 'e',
            },
          ],
          [
            'woocommerce',
            {
              'X-WC-Webhook-Signature': mac(SECRETS.woocommerce, body).toString('base64'),
              'X-WC-Webhook-Topic': 't',
              'X-WC-Webhook-Delivery-ID': '1',
            },
          ],
          ['typeform', { 'Typeform-Signature': `sha256=${mac(SECRETS.typeform, body).toString('base64')}` }],
          ['stripe', { 'Stripe-Signature': `t=${NOW},v1=${mac(SECRETS.stripe, `${NOW}.`, body).toString('hex')}` }],
          [
            'standard-webhooks',
            {
              'webhook-id': 'msg_1',
              'webhook-timestamp': String(NOW),
              'webhook-signature': `v1,${mac(swKey, `msg_1.${NOW}.`, body).toString('base64')}`,
            },
          ],
        ];
        for (const [kind, headers] of cases) {
          expect({ kind, check: providers[kind].verify(SECRETS[kind], delivery(body, headers)) }).toEqual({
            kind,
            check: { ok: true },
          });
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('provider parse with garbage', () => {
  for (const kind of SOURCE_KINDS) {
    it(`${kind}: arbitrary and mutated payloads parse or throw a ZodError, nothing else`, () => {
      const payloadArb = fc.oneof(
        fc.anything(),
        fc.jsonValue(),
        fc
          .tuple(fc.constantFrom(...FIXTURES[kind]), fc.array(mutationArb, { minLength: 1, maxLength: 4 }))
          .map(([name, ms]) => ({ name, payload: mutate(fixtureJson(kind, name), ms), fixture: true as const })),
      );
      fc.assert(
        fc.property(
          payloadArb,
          fc.boolean(),
          fc.string({ minLength: 1, maxLength: 30 }),
          (generated, withHeaders, id) => {
            const isFixture = typeof generated === 'object' && generated !== null && 'fixture' in generated;
            const { name, payload } = isFixture
              ? (generated as unknown as { name: string; payload: unknown })
              : { name: FIXTURES[kind][0] as string, payload: generated };
            const headers = withHeaders ? parseHeaders(kind, name, id) : {};
            try {
              const parsed = providers[kind].parse(delivery('{}', headers), payload, {});
              expect(parsed.deliveryId).not.toBe('');
              if (parsed.result.kind === 'events') {
                for (const event of parsed.result.events) {
                  expect(Number.isNaN(Date.parse(event.occurredAt))).toBe(false);
                  // Stored events must survive the JSON round trip the inbox gives them.
                  expect(() => JSON.stringify(event)).not.toThrow();
                }
              }
            } catch (error) {
              if (error instanceof ZodError || isKnownBug(error)) return;
              throw error;
            }
          },
        ),
        { numRuns: 200 },
      );
    });
  }

  // ---- Pinned counterexamples of bugs these properties found (each answered 500 before the fix) --

  it('does not throw RangeError for a Stripe `created` beyond the Date range (was a bug)', () => {
    const event = fixtureJson('stripe', 'invoice.payment_failed');
    event.created = 10_000_000_000_000; // an integer, nonnegative: passes the schema
    expect(() => providers.stripe.parse(delivery('{}', {}), event, {})).toThrow(ZodError);
  });

  it('reads a WooCommerce date_created_gmt with a `Z` (was a RangeError)', () => {
    const customer = fixtureJson('woocommerce', 'customer.created');
    customer.date_created_gmt = '2026-01-01T00:00:00Z';
    delete customer.date_modified_gmt;
    const headers = parseHeaders('woocommerce', 'customer.created', '1');
    const parsed = providers.woocommerce.parse(delivery('{}', headers), customer, {});
    expect(parsed.result.kind === 'events' && parsed.result.events[0]?.occurredAt).toBe('2026-01-01T00:00:00.000Z');
  });

  it('refuses a WooCommerce numeric total >= 1e21 with a ZodError (was a plain Error)', () => {
    const order = fixtureJson('woocommerce', 'order.created');
    order.total = 1e21;
    const headers = parseHeaders('woocommerce', 'order.created', '1');
    expect(() => providers.woocommerce.parse(delivery('{}', headers), order, {})).toThrow(ZodError);
  });
});
