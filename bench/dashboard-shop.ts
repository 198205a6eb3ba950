import type { Contact, Enrollment, TimelineEvent } from '#core/contact.ts';
import type { NodeVisit } from '#reports/journey-report.ts';
import { prng } from '../infra/local/demo-shop.ts';
import { CITIES, DAY, FIRST, HOUR, LAST, PRODUCTS, SHOP_DAYS, SOURCE } from './dashboard-shop-catalog.ts';
import { type Draft, draftHistory } from './dashboard-shop-history.ts';

/**
 * The dashboard benchmark's shop: N contacts with exactly E timeline events over the six months
 * before `now`, in the shapes the app itself writes (ingest's `form.submitted`, `checkout.started`,
 * `order.placed`, refunds, subscriptions, NPS; the journeys' `journey.*` entries and their emails'
 * `email.*` events). Deterministic: contact i's history comes from its own seeded PRNG, so the
 * same seed gives the same shop, shifted to end at `now`.
 *
 * Events per contact are skewed like a real list (many sign-ups that never buy, a few very active
 * customers): each contact has a budget of 2 + a share of the rest weighted by (-ln u)^1.5, and its
 * history is generated episode by episode, then cut at its budget, so the total is exact.
 * Simplifications (the pages only read what these produce, not how it came about): journey
 * paths are random walks of the journey graph, conversions are drawn per journey rather than
 * derived from later orders, and a history that would run past `now` is compressed in time.
 */

export interface ShopContact {
  index: number;
  contact: Contact;
  /** Exactly its budget of events, oldest first. */
  events: TimelineEvent[];
  enrollments: Enrollment[];
  /** Journey node visits, each with the marker that makes it count once (as journey-step records them). */
  visits: { marker: string; visit: NodeVisit }[];
}

/**
 * How many events each contact gets: 2 (created, first form) plus a weighted share of the rest,
 * largest remainder first, so the budgets add up to exactly `events`.
 */
export function eventBudgets(contacts: number, events: number, seed: number): Int32Array {
  if (events < 2 * contacts) throw new Error(`need at least 2 events per contact (${2 * contacts})`);
  const random = prng(seed ^ 0x5eed);
  const weights = Float64Array.from({ length: contacts }, () => (-Math.log(1 - random())) ** 1.5);
  const total = weights.reduce((a, b) => a + b, 0);
  const extra = events - 2 * contacts;
  const budgets = new Int32Array(contacts);
  const remainders: { i: number; r: number }[] = [];
  let given = 0;
  for (let i = 0; i < contacts; i++) {
    const share = (extra * (weights[i] ?? 0)) / total;
    budgets[i] = 2 + Math.floor(share);
    given += Math.floor(share);
    remainders.push({ i, r: share - Math.floor(share) });
  }
  remainders.sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; k < extra - given; k++) {
    const i = remainders[k]?.i ?? 0;
    budgets[i] = (budgets[i] ?? 0) + 1;
  }
  return budgets;
}

/** The contact ids of a shop, known before its histories are generated (uuid-shaped, like `newContactId`). */
export function contactIdOf(seed: number, index: number): string {
  const random = prng(seed ^ Math.imul(index + 1, 0x9e3779b1));
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');
  return `c-${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
}

export const emailOf = (index: number) => `shopper-${String(index).padStart(6, '0')}@example.com`;

/**
 * Contact `index`'s profile and history: `budget` events between its sign-up and `now` (ms).
 * Version 2 of every journey went live halfway through the six months.
 */
export function shopContact(seed: number, index: number, budget: number, now: number): ShopContact {
  const random = prng((seed * 31 + index * 2_654_435_761) >>> 0);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const contactId = contactIdOf(seed, index);
  const email = emailOf(index);
  const end = now - 60_000;
  const periodStart = now - SHOP_DAYS * DAY;
  const halfway = now - (SHOP_DAYS / 2) * DAY;
  const start = periodStart + Math.floor(random() * (SHOP_DAYS * DAY - 2 * HOUR));
  const { drafts, enrollments, ingest, emailEvents, enter, ingested } = draftHistory({
    index,
    contactId,
    halfway,
    random,
    pick,
  });

  // Sign-up: created by the first form, which enters onboarding or, with the guide, lead nurture.
  drafts.push({
    name: 'contact.created',
    at: start,
    eventId: `contact.created:inbox:${SOURCE}:shop:${index}:1`,
    data: { cause: `inbox:${SOURCE}:shop:${index}:1` },
  });
  const guide = random() < 0.3;
  const form = ingest('form.submitted', start, {
    formId: 'signup',
    fields: guide ? { leadMagnet: 'buying-guide' } : { plan: 'newsletter' },
  });
  let nurtured = guide;
  enter(guide ? 'lead-nurture' : 'onboarding', drafts[form] as Draft);

  // Then episodes, spaced to fill the contact's time, until the budget is reached.
  const episodes = Math.max(1, (budget - 2) / 7);
  const meanGap = (end - start) / (episodes + 1);
  let t = start;
  let subscribed = false;
  let carts = 0;
  let campaigns = 0;
  while (drafts.length < budget) {
    t += Math.floor(-Math.log(1 - random()) * meanGap) + 60_000;
    const roll = random();
    if (roll < 0.55) {
      const cart = `cart-${index}-${++carts}`;
      const items = Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(PRODUCTS));
      const lineItems = items.map((p) => ({
        name: p.name,
        quantity: 1,
        unitPrice: { amountMinor: p.price, currency: 'EUR' },
      }));
      const total = { amountMinor: items.reduce((sum, p) => sum + p.price, 0), currency: 'EUR' };
      const checkout = ingest('checkout.started', t, { cartId: cart, lineItems, total });
      enter('abandoned-cart', drafts[checkout] as Draft);
      if (random() < 0.6) {
        const orderId = `${100_000 + index * 50 + carts}`;
        const placedAt = t + Math.floor(random() * 3 * HOUR);
        const order = ingest('order.placed', placedAt, { orderId, cartId: cart, lineItems, total });
        enter('loyalty', drafts[order] as Draft);
        if (random() < 0.05)
          ingest('order.refunded', placedAt + 5 * DAY, { orderId, refundId: `r-${orderId}`, amount: total });
        if (random() < 0.3)
          ingest('nps.responded', placedAt + 9 * DAY, { score: Math.min(10, Math.floor(random() * 11 + 2)) });
      }
    } else if (roll < 0.75) {
      const messageId = `0100019campaign${String(++campaigns).padStart(4, '0')}${String(index).padStart(7, '0')}-000000`;
      emailEvents(t, messageId, { template: 'newsletter', campaign: `news-${campaigns}` }, `email.sent:${messageId}`);
    } else if (roll < 0.85) {
      const subscriptionId = `sub-${index}`;
      if (!subscribed) {
        subscribed = true;
        ingest('subscription.started', t, { subscriptionId, plan: 'home-box' });
      } else if (random() < 0.7) {
        subscribed = false;
        const cancelled = ingest('subscription.cancelled', t, { subscriptionId, plan: 'home-box' });
        enter('churn-rescue', drafts[cancelled] as Draft);
      } else {
        const failed = ingest('payment.failed', t, {
          invoiceId: `in-${index}-${ingested()}`,
          subscriptionId,
          amount: { amountMinor: 2900, currency: 'EUR' },
        });
        enter('churn-rescue', drafts[failed] as Draft);
      }
    } else if (roll < 0.9) {
      ingest('nps.responded', t, { score: Math.floor(random() * 11) });
    } else {
      const withGuide = !nurtured && random() < 0.5;
      const again = ingest('form.submitted', t, {
        formId: withGuide ? 'guide' : 'contact',
        fields: withGuide ? { leadMagnet: 'buying-guide' } : { topic: 'question' },
      });
      if (withGuide) {
        nurtured = true;
        enter('lead-nurture', drafts[again] as Draft);
      }
    }
  }

  // Cut at the budget, then squeeze into [start, end] if the history ran past `now`.
  drafts.length = budget;
  const latest = Math.max(...drafts.map((d) => d.at));
  const squeeze = latest > end ? (end - start) / (latest - start) : 1;
  const when = (at: number) => new Date(start + Math.floor((at - start) * squeeze)).toISOString();
  const events: TimelineEvent[] = drafts.map((d) => ({
    eventId: d.eventId,
    contactId,
    name: d.name,
    at: when(d.at),
    data: d.data,
  }));
  events.sort((a, b) => (a.at === b.at ? 0 : a.at < b.at ? -1 : 1));

  const kept: Enrollment[] = [];
  const visits: ShopContact['visits'] = [];
  for (const d of enrollments) {
    if (d.enteredIndex >= budget) continue;
    const e: Enrollment = { ...d.enrollment, enteredAt: when(Date.parse(d.enrollment.enteredAt)) };
    if (e.trigger) e.trigger = { ...e.trigger, at: when(Date.parse(e.trigger.at)) };
    if (d.convertedIndex !== undefined && d.convertedIndex < budget && d.conversionAt !== undefined) {
      e.conversion = { at: when(d.conversionAt), goal: 'order.placed', ...(d.revenue ? { revenue: d.revenue } : {}) };
    }
    if (d.exitIndex !== undefined && d.exitIndex < budget && d.exitAt !== undefined) {
      e.status = 'completed';
      e.endedAt = when(d.exitAt);
      e.exitReason = 'completed';
      if (d.exitNodeId) e.exitNodeId = d.exitNodeId;
    }
    kept.push(e);
    for (const v of d.visits) {
      if (v.index >= budget) break;
      visits.push({
        marker: `visit:${e.enrollmentId}:${v.nodeId}`,
        visit: { journeyId: e.journeyId, version: e.journeyVersion, nodeId: v.nodeId },
      });
    }
  }

  const createdAt = new Date(start).toISOString();
  const lastOrder = events.findLast((e) => e.name === 'order.placed')?.at;
  const firstName = pick(FIRST);
  const lastName = pick(LAST);
  const provenance = { source: SOURCE, at: createdAt };
  const contact: Contact = {
    contactId,
    email,
    externalIds: {},
    anonymousIds: [],
    firstName,
    lastName,
    properties: { city: pick(CITIES), signupForm: 'signup' },
    provenance: { firstName: provenance, lastName: provenance, city: provenance, signupForm: provenance },
    version: 1,
    createdAt,
    updatedAt: createdAt,
    createdBy: `inbox:${SOURCE}:shop:${index}:1`,
    ...(lastOrder ? { lastEventAt: { 'order.placed': lastOrder } } : {}),
    ...(random() < 0.02 ? { tags: ['vip'] } : {}),
  };
  return { index, contact, events, enrollments: kept, visits };
}
