import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TOPICS } from '#contacts/consent.ts';
import type { Clock } from '#core/clock.ts';
import type { Contact, TimelineEvent } from '#core/contact.ts';
import { contactFacts, eventFact, FACT_EVENTS } from '#journeys/context.ts';
import { publishJourney } from '#journeys/lifecycle.ts';
import { createMemoryJourneys } from '#journeys/memory-runtime.ts';
import { builtInTemplateIds } from '#messaging/templating/compiled-built-ins.ts';
import { createDynamoStore } from '#platform/dynamo-store.ts';
import { eventItem } from '#platform/dynamo-table.ts';
import { aggregateEvents } from '#reports/aggregates.ts';
import { visitIncrements } from '#reports/journey-report.ts';
import { createMemoryAggregates } from '#reports/memory-aggregates.ts';
import type { AggregateStore } from '#reports/store.ts';
import { scoreContact, storedScores } from '#scoring/scores.ts';
import type { Membership, StoredSegment } from '#segments/model.ts';
import { saveSegment } from '#segments/segments.ts';
import { BUILT_IN_JOURNEY_IDS } from '#workflows/journeys/index.ts';
import { segmentHolds } from '#workflows/segments.ts';
import { ensureTable } from '../infra/local/table.ts';
import { eventBudgets, shopContact } from './dashboard-shop.ts';
import { SHOP_DAYS } from './dashboard-shop-catalog.ts';
import { round } from './stats.ts';

/**
 * Loads a generated shop into a table of DynamoDB Local the way the app would have left it: the
 * journeys published and the segments saved through the real services; contacts, identities,
 * events and enrollments in the adapters' layouts; the dashboard counters and each contact's KPI
 * state folded through the real `aggregateEvents` into the in-memory aggregates and then written
 * as the DynamoDB aggregates adapter stores them; segment memberships from the real rule
 * evaluation, written as `enterSegment` would (both membership items and `segment.entered`).
 * Everything but the services' own writes goes in with BatchWriteItem, 25 items a call.
 */

const ROOT = path.resolve(import.meta.dirname, '..');
const DAY = 86_400_000;
const COUNTER_FIELD = 'c_';
const ACTOR = 'bench:dashboard';
/** The power contact's generator index: far from 0..N-1, so its history is the same in every shop. */
const POWER_INDEX = 9_999_999;
/** Events the score refresher reads, as in shared/scoring/rescore.ts. */
const SCORED_EVENTS = 1_000;

/** What the benchmark checks each page against, per measured contact. */
export interface SampledContact {
  email: string;
  contactId: string;
  /** Every event on its timeline (shop events and `segment.entered`). */
  events: number;
  /** The event the timeline must start with (newest first). */
  newestEventId: string;
  segments: string[];
  enrollments: number;
}

export interface LoadedShop {
  label: string;
  tableName: string;
  contacts: number;
  /** Shop, journey and email events (the requested number). */
  events: number;
  /** `segment.entered` events written on top, one per membership. */
  segmentEvents: number;
  enrollments: number;
  nodeVisits: number;
  counterItems: number;
  /** Every item written, services' writes included. */
  items: number;
  loadSeconds: number;
  itemsPerSecond: number;
  /** The segments' member counts, as written. */
  members: Record<string, number>;
  journeys: Record<string, number>;
  /** Contacts at evenly spaced quantiles of events per contact, for the contact page. */
  sample: SampledContact[];
  /** The power contact: one more contact, outside `contacts` and `events`, with a fixed number of events. */
  power: SampledContact;
  /** The table's item count as DynamoDB Local reports it (must equal `items`). */
  tableItemCount: number;
  /** The counters the pages must show, kept in memory. */
  aggregates: AggregateStore;
}

/** Writes items with BatchWriteItem, 25 a call and `concurrency` calls in flight, retrying unprocessed ones. */
export function batchWriter(db: DynamoDBDocumentClient, tableName: string, concurrency: number) {
  let batch: Record<string, unknown>[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let written = 0;
  const send = async (items: Record<string, unknown>[]) => {
    let request: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> | undefined = {
      [tableName]: items.map((Item) => ({ PutRequest: { Item } })),
    };
    for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1_000, 20 * 2 ** attempt)));
      const out = await db.send(new BatchWriteCommand({ RequestItems: request }));
      request = out.UnprocessedItems as typeof request;
    }
    written += items.length;
  };
  const flush = async () => {
    if (failure) throw failure;
    const items = batch;
    batch = [];
    if (items.length === 0) return;
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    const pending: Promise<void> = send(items)
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => inFlight.delete(pending));
    inFlight.add(pending);
  };
  return {
    async put(item: Record<string, unknown>) {
      batch.push(item);
      if (batch.length === 25) await flush();
    },
    async drain() {
      await flush();
      await Promise.all(inFlight);
      if (failure) throw failure;
    },
    written: () => written,
  };
}

/** The example segments the project ships (workflows/examples/segments.json). */
export const exampleSegments = (): { id: string }[] =>
  JSON.parse(readFileSync(path.join(ROOT, 'workflows/examples/segments.json'), 'utf8'));

const fixedClock = (at: () => Date): Clock => ({ now: at });

/**
 * Generates and loads one shop into `tableName` (created first, without a stream: nothing
 * consumes it here). `now` ends the shop's six months; segment memberships are evaluated then.
 */
export async function loadShop(options: {
  client: DynamoDBClient;
  db: DynamoDBDocumentClient;
  tableName: string;
  label: string;
  contacts: number;
  events: number;
  seed: number;
  now: Date;
  concurrency: number;
  sampleSize: number;
  /** Events of the power contact. */
  powerEvents: number;
  /** Segment documents to save (the same for every shop of a run). */
  segments: readonly { id: string }[];
  log: (line: string) => void;
}): Promise<LoadedShop> {
  const { db, tableName, label, now, log } = options;
  const started = performance.now();
  await ensureTable(options.client, tableName, false);
  const store = createDynamoStore(db, tableName);

  // Journeys: every built-in published twice (v1 at the start of the period, v2 halfway), through
  // the journey service, with an in-memory runtime standing in for Step Functions.
  let clockAt = new Date(now.getTime() - (SHOP_DAYS + 1) * DAY);
  const journeyDeps = {
    store,
    runtime: createMemoryJourneys(),
    clock: fixedClock(() => clockAt),
    targets: { sendEmail: 'send-email', endEnrollment: 'end-enrollment', journeyStep: 'journey-step' },
    validationContext: async () => ({ templates: builtInTemplateIds, topics: new Set(TOPICS.map((t) => t.id)) }),
  };
  const journeys: Record<string, number> = {};
  for (const id of BUILT_IN_JOURNEY_IDS) {
    clockAt = new Date(now.getTime() - (SHOP_DAYS + 1) * DAY);
    await publishJourney(journeyDeps, id, ACTOR);
    clockAt = new Date(now.getTime() - (SHOP_DAYS / 2) * DAY - 60_000);
    journeys[id] = (await publishJourney(journeyDeps, id, ACTOR)).version;
  }

  // Segments: saved through the segment service (each starts a re-evaluation over all contacts,
  // which this load then does itself and marks done).
  const segmentDeps = { store, clock: fixedClock(() => now) };
  const segments: StoredSegment[] = [];
  for (const input of options.segments)
    segments.push((await saveSegment(segmentDeps, input, { actor: ACTOR })).segment);
  const members: Record<string, number> = Object.fromEntries(segments.map((s) => [s.id, 0]));

  const budgets = eventBudgets(options.contacts, options.events, options.seed);
  // The measured contacts: evenly spaced quantiles of events per contact, so a small and a large
  // shop are sampled alike.
  const byBudget = Array.from(budgets.keys()).sort((a, b) => (budgets[a] ?? 0) - (budgets[b] ?? 0) || a - b);
  let power: SampledContact | undefined;
  const sampled = new Set(
    Array.from(
      { length: Math.min(options.sampleSize, options.contacts) },
      (_, k) =>
        byBudget[Math.floor(((k + 0.5) * options.contacts) / Math.min(options.sampleSize, options.contacts))] ?? 0,
    ),
  );
  const sample: SampledContact[] = [];

  const aggregates = createMemoryAggregates();
  const writer = batchWriter(db, tableName, options.concurrency);
  const nowIso = now.toISOString();
  let events = 0;
  let segmentEvents = 0;
  let enrollments = 0;
  let nodeVisits = 0;
  let lastReport = performance.now();
  let lastWritten = 0;
  // Contacts 0..N-1, then the power contact (the same history in every shop of a run).
  for (let i = 0; i <= options.contacts; i++) {
    const isPower = i === options.contacts;
    const shop = isPower
      ? shopContact(options.seed, POWER_INDEX, options.powerEvents, now.getTime())
      : shopContact(options.seed, i, budgets[i] ?? 2, now.getTime());
    // The stored scores the score refresher keeps on the profile (segments read `scores.<name>`).
    const contact: Contact = {
      ...shop.contact,
      scores: storedScores(scoreContact(shop.contact, shop.events.slice(-SCORED_EVENTS), now)),
      scoresAt: nowIso,
      scoresVersion: shop.contact.version ?? 0,
    };
    const contactPk = `CONTACT#${contact.contactId}`;
    await writer.put({ pk: contactPk, sk: 'PROFILE', type: 'contact', ...contact });
    await writer.put({
      pk: `IDENTITY#email#${contact.email}`,
      sk: 'IDENTITY',
      type: 'identity',
      kind: 'email',
      value: contact.email,
      contactId: contact.contactId,
    });
    for (const event of shop.events) await writer.put(eventItem(event));
    for (const enrollment of shop.enrollments)
      await writer.put({
        pk: contactPk,
        sk: `ENROLLMENT#${enrollment.enrollmentId}`,
        type: 'enrollment',
        ...enrollment,
      });
    if (!isPower) events += shop.events.length;
    enrollments += shop.enrollments.length;

    // Segments: the real rule evaluation at `now`, over the newest FACT_EVENTS events.
    const facts = {
      contact: contactFacts(contact),
      events: shop.events.slice(-FACT_EVENTS).map(eventFact),
      now,
    };
    const entered: TimelineEvent[] = [];
    for (const segment of segments) {
      if (!segmentHolds(segment, facts)) continue;
      const membership: Membership = {
        segmentId: segment.id,
        contactId: contact.contactId,
        enteredAt: nowIso,
        revision: segment.revision,
        ...(contact.email ? { email: contact.email } : {}),
      };
      const event: TimelineEvent = {
        eventId: `segment.entered:${segment.id}:${nowIso}`,
        contactId: contact.contactId,
        name: 'segment.entered',
        at: nowIso,
        data: { segmentId: segment.id, segmentName: segment.name, revision: segment.revision },
      };
      await writer.put({ pk: `SEGMENT#${segment.id}`, sk: contact.contactId, type: 'segment-member', ...membership });
      await writer.put({ pk: contactPk, sk: `SEGMENT#${segment.id}`, type: 'membership', ...membership });
      await writer.put(eventItem(event));
      entered.push(event);
      members[segment.id] = (members[segment.id] ?? 0) + 1;
    }
    segmentEvents += entered.length;

    // Aggregates: every event once, in time order, as the stream consumer applies them; then the
    // node visits journey steps record; then the contact's KPI state as the adapter stores it.
    await aggregateEvents(aggregates, [...shop.events, ...entered]);
    for (const { marker, visit } of shop.visits) await aggregates.addOnce(marker, visitIncrements(visit));
    nodeVisits += shop.visits.length;
    const stored = (await aggregates.getKpiStates([contact.contactId])).get(contact.contactId);
    if (stored)
      await writer.put({ pk: contactPk, sk: 'KPISTATE', type: 'kpi-state', ...stored.state, rev: stored.rev });

    if (sampled.has(i) || isPower) {
      const timeline = [...shop.events, ...entered].map((e) => ({ id: e.eventId, sk: `${e.at}#${e.eventId}` }));
      timeline.sort((a, b) => (a.sk < b.sk ? 1 : a.sk > b.sk ? -1 : 0));
      const expected: SampledContact = {
        email: contact.email ?? '',
        contactId: contact.contactId,
        events: timeline.length,
        newestEventId: timeline[0]?.id ?? '',
        segments: entered.map((e) => String(e.data.segmentId)).sort(),
        enrollments: shop.enrollments.length,
      };
      if (isPower) power = expected;
      else if (sampled.has(i)) sample.push(expected);
    }

    const at = performance.now();
    if (at - lastReport >= 10_000 || i === options.contacts - 1) {
      const written = writer.written();
      const rate = ((written - lastWritten) * 1000) / (at - lastReport);
      const overall = (written * 1000) / (at - started);
      const remaining = ((options.contacts - i - 1) / (i + 1)) * ((at - started) / 1000);
      log(
        `  ${label}: ${(i + 1).toLocaleString('en-US')} / ${options.contacts.toLocaleString('en-US')} contacts, ` +
          `${written.toLocaleString('en-US')} items written (${Math.round(rate).toLocaleString('en-US')} items/s now, ` +
          `${Math.round(overall).toLocaleString('en-US')} overall), about ${Math.ceil(remaining / 60)} min left`,
      );
      lastReport = at;
      lastWritten = written;
    }
  }

  // The counter items, exactly as the DynamoDB aggregates adapter keeps them.
  const counters = await aggregates.listCounters('');
  for (const [key, fields] of Object.entries(counters)) {
    await writer.put({
      pk: `COUNTERS#${key.split('#')[0]}`,
      sk: key,
      type: 'counter',
      ...Object.fromEntries(Object.entries(fields).map(([field, value]) => [`${COUNTER_FIELD}${field}`, value])),
    });
  }
  await writer.drain();

  // The re-evaluations the saves started, finished: the counts `enterSegment` would have added up.
  for (const segment of segments) {
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: 'SEGMENTS', sk: segment.id },
        UpdateExpression: 'SET members = :n',
        ExpressionAttributeValues: { ':n': members[segment.id] ?? 0 },
      }),
    );
    const job = segment.reevaluation;
    if (job)
      await store.updateReevaluation(segment.id, {
        ...job,
        status: 'done',
        scanned: options.contacts,
        entered: members[segment.id] ?? 0,
        finishedAt: nowIso,
      });
  }

  const loadSeconds = (performance.now() - started) / 1000;
  // The services' items: per journey its summary and two versions; per segment its item.
  const items = writer.written() + BUILT_IN_JOURNEY_IDS.length * 3 + segments.length;
  const described = await options.client.send(new DescribeTableCommand({ TableName: tableName }));
  if (!power) throw new Error('the power contact was not generated');
  sample.sort((a, b) => a.events - b.events || a.email.localeCompare(b.email));
  return {
    label,
    tableName,
    contacts: options.contacts,
    events,
    segmentEvents,
    enrollments,
    nodeVisits,
    counterItems: Object.keys(counters).length,
    items,
    loadSeconds: round(loadSeconds, 1),
    itemsPerSecond: round(items / loadSeconds),
    members,
    journeys,
    sample,
    power,
    tableItemCount: described.Table?.ItemCount ?? -1,
    aggregates,
  };
}
