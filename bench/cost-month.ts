/**
 * The workload of the cost benchmark: a month of the demo shop's traffic for a given number of
 * contacts and events, posted through the demo form source like `npm start` seeds the shop.
 */
import { Webhook } from 'standardwebhooks';
import { type DemoEnvelope, demoShopHistory } from '../infra/local/demo-shop.ts';
import { signedWebhookHeaders } from '../infra/local/signed-webhook.ts';

/**
 * `events` envelopes in the demo shop's mix over `contacts` people. The generator gives each
 * person about six events (a sign-up, checkouts, orders, refunds, NPS, subscriptions), so it
 * is asked for as many people as the events need and their histories are folded onto
 * `contacts` addresses: person i becomes contact i mod `contacts`, with that contact's name, so
 * each contact gets a few people's worth of activity. Webhook ids, order, cart and
 * subscription ids stay those of the original person, so nothing is mistaken for a replay.
 */
export function monthOfEvents(contacts: number, events: number, now = new Date()): DemoEnvelope[] {
  const probe = demoShopHistory(Math.min(contacts, 500), now).length / Math.min(contacts, 500);
  const people = Math.max(contacts, Math.ceil((events / probe) * 1.05));
  const history = demoShopHistory(people, now).slice(0, events);
  const names = new Map<string, { firstName: unknown; lastName: unknown }>();
  return history.map((envelope) => {
    const data = envelope.body.data;
    const person = Number(/^demo-(\d+)@/.exec(String(data.email))?.[1]);
    const email = `demo-${String(person % contacts).padStart(4, '0')}@example.com`;
    const name = names.get(email) ?? { firstName: data.firstName, lastName: data.lastName };
    names.set(email, name);
    return { id: envelope.id, body: { ...envelope.body, data: { ...data, ...name, email } } };
  });
}

/** Posts the envelopes `concurrency` at a time, signed now; returns how many were refused. */
export async function postEnvelopes(options: {
  api: string;
  secret: string;
  envelopes: readonly DemoEnvelope[];
  concurrency: number;
  progress: (posted: number) => void;
}): Promise<{ posted: number; refused: number }> {
  const webhook = new Webhook(options.secret);
  let next = 0;
  let posted = 0;
  let refused = 0;
  const worker = async () => {
    for (let envelope = options.envelopes[next++]; envelope; envelope = options.envelopes[next++]) {
      const body = JSON.stringify(envelope.body);
      const res = await fetch(`${options.api}/webhooks/demo-form`, {
        method: 'POST',
        headers: signedWebhookHeaders(webhook, envelope.id, new Date(), body),
        body,
      });
      await res.arrayBuffer();
      if (res.status === 202) posted += 1;
      else refused += 1;
      if ((posted + refused) % 500 === 0) options.progress(posted + refused);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return { posted, refused };
}
