import type { Contact, Enrollment, TimelineEvent } from '#core/contact.ts';
import { deterministicId } from '#core/ids.ts';
import type { NodeVisit } from '#reports/journey-report.ts';
import { bucketOf } from '#workflows/conditions.ts';
import { type Journey, journeySchema } from '#workflows/journey.schema.ts';
import { successorsOf } from '#workflows/journey-nodes.ts';
import { BUILT_IN_JOURNEYS, type BuiltInJourneyId } from '#workflows/journeys/index.ts';
import { prng } from '../infra/local/demo-shop.ts';

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

const DAY = 86_400_000;
const HOUR = 3_600_000;
export const SHOP_DAYS = 180;
const SOURCE = 'demo-form';

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Ken', 'Margaret', 'Linus', 'Radia', 'Tim', 'Frances'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Thompson', 'Hamilton', 'Torvalds', 'Perlman'];
const CITIES = ['Lyon', 'Leeds', 'Porto', 'Gent', 'Graz', 'Turku', 'Bilbao'];
const PRODUCTS = [
  { name: 'Linen throw', price: 8900 },
  { name: 'Oak serving tray', price: 4500 },
  { name: 'Stoneware mug set', price: 3200 },
  { name: 'Wool rug', price: 24_900 },
  { name: 'Ceramic vase', price: 5900 },
  { name: 'Cotton towels', price: 2900 },
];

/** Per-journey share of entries that convert (drawn, see above). */
const CONVERSION: Record<BuiltInJourneyId, number> = {
  onboarding: 0.15,
  'lead-nurture': 0.12,
  'abandoned-cart': 0,
  'churn-rescue': 0.08,
  loyalty: 0.2,
};

/** Each built-in journey, parsed, as published (version 1 in the first half of the period, 2 after). */
export const SHOP_JOURNEYS = Object.fromEntries(
  Object.entries(BUILT_IN_JOURNEYS).map(([id, doc]) => [id, journeySchema.parse(doc)]),
) as Record<BuiltInJourneyId, Journey>;

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

interface Draft {
  name: TimelineEvent['name'];
  at: number;
  eventId: string;
  data: Record<string, unknown>;
}

interface EnrollmentDraft {
  enrollment: Enrollment;
  /** Index in the draft list of its `journey.entered`; it exists only if that event is kept. */
  enteredIndex: number;
  /** Index of each node visit's evidence (its email, or the entry for the first nodes). */
  visits: { nodeId: string; index: number }[];
  convertedIndex?: number;
  conversionAt?: number;
  revenue?: { amountMinor: number; currency: string };
  exitIndex?: number;
  exitAt?: number;
  exitNodeId?: string;
}

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
  const drafts: Draft[] = [];
  const enrollments: EnrollmentDraft[] = [];
  let seq = 0;
  const ingest = (name: Draft['name'], at: number, data: Record<string, unknown>) => {
    const key = `shop:${index}:${++seq}`;
    drafts.push({
      name,
      at,
      eventId: `${name}:${SOURCE}:${key}`,
      data: { ...data, sourceId: SOURCE, cause: `inbox:${SOURCE}:${key}` },
    });
    return drafts.length - 1;
  };
  const emailEvents = (at: number, messageId: string, base: Record<string, unknown>, sentId: string) => {
    drafts.push({ name: 'email.sent', at, eventId: sentId, data: { ...base, messageId } });
    const ses = { messageId, template: base.template };
    if (random() < 0.015) {
      drafts.push({
        name: 'email.bounced',
        at: at + 5_000,
        eventId: `email.bounced:${messageId}:bounced:${at}`,
        data: { ...ses, bounceType: 'Permanent', bounceSubType: 'General' },
      });
      return;
    }
    drafts.push({
      name: 'email.delivered',
      at: at + 3_000,
      eventId: `email.delivered:${messageId}:delivered`,
      data: ses,
    });
    if (random() < 0.42) {
      const opened = at + Math.floor(random() * 30 * HOUR);
      drafts.push({
        name: 'email.opened',
        at: opened,
        eventId: `email.opened:${messageId}:opened:${opened}`,
        data: ses,
      });
      if (random() < 0.25)
        drafts.push({
          name: 'email.clicked',
          at: opened + 40_000,
          eventId: `email.clicked:${messageId}:clicked:${opened}`,
          data: { ...ses, link: 'https://shop.example.com/' },
        });
    }
  };
  const enter = (journeyId: BuiltInJourneyId, trigger: Draft) => {
    const journey = SHOP_JOURNEYS[journeyId];
    const version = trigger.at < halfway ? 1 : 2;
    const enrollmentId = deterministicId('e', journeyId, contactId, trigger.eventId);
    const holdout =
      journey.settings.holdoutPercent > 0 && bucketOf(enrollmentId, 'holdout') < journey.settings.holdoutPercent;
    const enteredAt = trigger.at + 1_000;
    drafts.push({
      name: 'journey.entered',
      at: enteredAt,
      eventId: `journey.entered:${enrollmentId}`,
      data: {
        journeyId,
        journeyVersion: version,
        enrollmentId,
        trigger: 'event',
        triggerEvent: trigger.name,
        ...(holdout ? { holdout: true } : {}),
      },
    });
    const draft: EnrollmentDraft = {
      enrollment: {
        enrollmentId,
        contactId,
        journeyId,
        journeyVersion: version,
        triggerEventId: trigger.eventId,
        trigger: {
          type: 'event',
          eventId: trigger.eventId,
          name: trigger.name,
          at: new Date(trigger.at).toISOString(),
        },
        status: holdout ? 'holdout' : 'active',
        enteredAt: new Date(enteredAt).toISOString(),
        ...(holdout
          ? {}
          : { executionArn: `arn:aws:states:us-east-1:000000000000:execution:tend-${journeyId}:${enrollmentId}` }),
      },
      enteredIndex: drafts.length - 1,
      visits: [],
    };
    enrollments.push(draft);
    const journeyData = { journeyId, journeyVersion: version, enrollmentId };
    const converts = random() < (CONVERSION[journeyId] ?? 0);
    const orderTotal = { amountMinor: pick(PRODUCTS).price, currency: 'EUR' };
    if (holdout) {
      if (converts) {
        const at = enteredAt + Math.floor(random() * 6 * DAY);
        drafts.push({
          name: 'journey.converted',
          at,
          eventId: `journey.converted:${enrollmentId}`,
          data: { ...journeyData, goal: 'order.placed', holdout: true, revenue: orderTotal },
        });
        draft.convertedIndex = drafts.length - 1;
        draft.conversionAt = at;
        draft.revenue = orderTotal;
      }
      return;
    }
    // A random walk of the graph: each node is visited once; a send-email node sends.
    let t = enteredAt;
    const seen = new Set<string>();
    let nodeId: string | undefined = journey.start;
    let last = journey.start;
    while (nodeId && !seen.has(nodeId)) {
      const node: Journey['nodes'][string] | undefined = journey.nodes[nodeId];
      if (!node) break;
      seen.add(nodeId);
      last = nodeId;
      if (node.type === 'send-email') {
        const messageId = `0100019${deterministicId('m', enrollmentId, nodeId).slice(2, 26)}-000000`;
        emailEvents(
          t,
          messageId,
          { journeyId, enrollmentId, nodeId, template: node.template },
          `email.sent:${enrollmentId}:${nodeId}`,
        );
        draft.visits.push({ nodeId, index: drafts.length - 1 });
        t += Math.floor((0.5 + random() * 2) * DAY);
      } else {
        draft.visits.push({ nodeId, index: Math.max(draft.enteredIndex, drafts.length - 1) });
        t += node.type.startsWith('wait') ? Math.floor((1 + random() * 3) * DAY) : 1_000;
      }
      const next = successorsOf(node);
      nodeId = next.length > 0 ? next[Math.floor(random() * next.length)]?.id : undefined;
    }
    if (converts) {
      const at = enteredAt + Math.floor(random() * Math.max(HOUR, t - enteredAt));
      drafts.push({
        name: 'journey.converted',
        at,
        eventId: `journey.converted:${enrollmentId}`,
        data: { ...journeyData, goal: 'order.placed', revenue: orderTotal },
      });
      draft.convertedIndex = drafts.length - 1;
      draft.conversionAt = at;
      draft.revenue = orderTotal;
    }
    drafts.push({
      name: 'journey.exited',
      at: t,
      eventId: `journey.exited:${enrollmentId}`,
      data: { ...journeyData, status: 'completed', reason: 'completed', nodeId: last },
    });
    draft.exitIndex = drafts.length - 1;
    draft.exitAt = t;
    draft.exitNodeId = last;
  };

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
          invoiceId: `in-${index}-${seq}`,
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
