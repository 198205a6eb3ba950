import { Webhook } from 'standardwebhooks';
import { signedWebhookHeaders } from './signed-webhook.ts';

/**
 * A demo shop's history, generated deterministically (the same seed gives the same shop): sign-ups
 * through forms (some downloading the buying guide), checkouts, orders of the same cart or not,
 * refunds, cancelled subscriptions, failed payments and NPS answers, over the last six months.
 * `npm start` posts it once through the demo form source as Standard Webhooks event envelopes,
 * so it goes through the real ingest, identity, journeys and aggregates.
 */

export interface DemoEnvelope {
  /** The webhook id: deterministic, so seeding twice changes nothing. */
  id: string;
  body: { type: string; timestamp: string; data: Record<string, unknown> };
}

const FIRST = [
  'Ada',
  'Grace',
  'Alan',
  'Edsger',
  'Barbara',
  'Ken',
  'Margaret',
  'Linus',
  'Radia',
  'Tim',
  'Frances',
  'Donald',
];
const LAST = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Dijkstra',
  'Liskov',
  'Thompson',
  'Hamilton',
  'Torvalds',
  'Perlman',
  'Lee',
  'Allen',
  'Knuth',
];
const PRODUCTS = [
  { name: 'Linen throw', price: 8900 },
  { name: 'Oak serving tray', price: 4500 },
  { name: 'Stoneware mug set', price: 3200 },
  { name: 'Wool rug', price: 24_900 },
  { name: 'Ceramic vase', price: 5900 },
  { name: 'Cotton towels', price: 2900 },
];
const DAY = 86_400_000;

/** mulberry32: small, fast and deterministic (the benchmarks' generators use it too). */
export function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The shop's history for `contacts` people, ending `now`, ordered by time. */
export function demoShopHistory(contacts: number, now: Date, seed = 20_261_126): DemoEnvelope[] {
  const random = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const start = now.getTime() - 182 * DAY;
  const out: DemoEnvelope[] = [];
  for (let i = 0; i < contacts; i++) {
    const email = `demo-${String(i).padStart(4, '0')}@example.com`;
    const person = { email, firstName: pick(FIRST), lastName: pick(LAST) };
    let seq = 0;
    const add = (type: string, at: number, data: Record<string, unknown>) => {
      if (at > now.getTime() - 60_000) return;
      out.push({
        id: `demo_${i}_${++seq}`,
        body: { type, timestamp: new Date(at).toISOString(), data: { ...person, key: `demo:${i}:${seq}`, ...data } },
      });
    };
    let t = start + Math.floor(random() * 170 * DAY);
    add('form.submitted', t, {
      formId: 'signup',
      fields: random() < 0.3 ? { leadMagnet: 'buying-guide' } : { plan: 'newsletter' },
    });
    const subscribed = random() < 0.25;
    if (subscribed) add('subscription.started', t + DAY, { subscriptionId: `sub-${i}`, plan: 'home-box' });
    const visits = Math.floor(random() * 6);
    for (let v = 0; v < visits; v++) {
      t += Math.floor((2 + random() * 35) * DAY);
      const cart = `cart-${i}-${v}`;
      const items = Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(PRODUCTS));
      const lineItems = items.map((p) => ({
        name: p.name,
        quantity: 1,
        unitPrice: { amountMinor: p.price, currency: 'EUR' },
      }));
      const total = { amountMinor: items.reduce((sum, p) => sum + p.price, 0), currency: 'EUR' };
      add('checkout.started', t, { cartId: cart, lineItems, total });
      if (random() < 0.65) {
        const orderId = `${1000 + i * 10 + v}`;
        add('order.placed', t + Math.floor(random() * 3 * 3_600_000), { orderId, cartId: cart, lineItems, total });
        if (random() < 0.05) {
          add('order.refunded', t + 5 * DAY, { orderId, refundId: `r-${orderId}`, amount: total });
        }
        if (random() < 0.3) add('nps.responded', t + 9 * DAY, { score: Math.min(10, Math.floor(random() * 11 + 2)) });
      }
    }
    if (subscribed && random() < 0.3)
      add('subscription.cancelled', t + 10 * DAY, { subscriptionId: `sub-${i}`, plan: 'home-box' });
    if (subscribed && random() < 0.1)
      add('payment.failed', t + 20 * DAY, {
        invoiceId: `in-${i}`,
        subscriptionId: `sub-${i}`,
        amount: { amountMinor: 2900, currency: 'EUR' },
      });
  }
  return out.sort((a, b) => a.body.timestamp.localeCompare(b.body.timestamp));
}

/**
 * Posts the history to the demo form source, a few at a time, reporting progress. Deliveries
 * are signed now (the timestamp header must be current); each event keeps its own time.
 */
export async function seedDemoShop(options: {
  api: string;
  secret: string;
  contacts: number;
  log: (message: string) => void;
  concurrency?: number;
  /** Segments saved through the API first, so memberships build up as the history arrives. */
  segments?: { adminToken: string; documents: readonly { id: string }[] };
}): Promise<{ posted: number; failed: number }> {
  for (const segment of options.segments?.documents ?? []) {
    const res = await fetch(`${options.api}/api/segments/${encodeURIComponent(segment.id)}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${options.segments?.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(segment),
    }).catch(() => undefined);
    if (!res?.ok) options.log(`demo shop: could not save the segment ${segment.id} (${res?.status ?? 'no answer'})`);
    await res?.arrayBuffer().catch(() => undefined);
  }
  const envelopes = demoShopHistory(options.contacts, new Date());
  const webhook = new Webhook(options.secret);
  let next = 0;
  let posted = 0;
  let failed = 0;
  let reported = 0;
  const worker = async () => {
    while (next < envelopes.length) {
      const envelope = envelopes[next++] as DemoEnvelope;
      const body = JSON.stringify(envelope.body);
      const res = await fetch(`${options.api}/webhooks/demo-form`, {
        method: 'POST',
        headers: signedWebhookHeaders(webhook, envelope.id, new Date(), body),
        body,
      }).catch(() => undefined);
      if (res && res.status < 300) posted += 1;
      else failed += 1;
      await res?.arrayBuffer().catch(() => undefined);
      if (posted + failed - reported >= 500) {
        reported = posted + failed;
        options.log(`demo shop: ${reported} of ${envelopes.length} events sent`);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  return { posted, failed };
}
