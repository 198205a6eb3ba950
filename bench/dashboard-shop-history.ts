import type { Enrollment, TimelineEvent } from '#core/contact.ts';
import { deterministicId } from '#core/ids.ts';
import { bucketOf } from '#workflows/conditions.ts';
import type { Journey } from '#workflows/journey.schema.ts';
import { successorsOf } from '#workflows/journey-nodes.ts';
import type { BuiltInJourneyId } from '#workflows/journeys/index.ts';
import { CONVERSION, DAY, HOUR, PRODUCTS, SHOP_JOURNEYS, SOURCE } from './dashboard-shop-catalog.ts';

export interface Draft {
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
 * One shop contact's history as it is drawn, in drawing order: its events (as drafts, kept or cut
 * later) and its journey enrollments, each with the indexes of the drafts that evidence it.
 */
export function draftHistory(contact: {
  index: number;
  contactId: string;
  /** When version 2 of every journey went live (ms). */
  halfway: number;
  random: () => number;
  pick: <T>(list: readonly T[]) => T;
}) {
  const { index, contactId, halfway, random, pick } = contact;
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

  /** How many events `ingest` has stored so far. */
  const ingested = () => seq;
  return { drafts, enrollments, ingest, emailEvents, enter, ingested };
}
