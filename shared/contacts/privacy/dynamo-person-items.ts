import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Contact, Enrollment, TimelineEvent } from '#core/contact.ts';
import { deterministicId } from '#core/ids.ts';
import { createDynamoJourneyVersions } from '#journeys/dynamo-journey-versions.ts';
import type { SendRecord } from '#messaging/model.ts';
import { contactPk, strip, tableOps } from '#platform/dynamo-table.ts';
import type { Membership } from '#segments/model.ts';
import { createRemoval } from './dynamo-person-removal.ts';
import type { ItemRef, PersonRecords } from './model.ts';
import type { PersonRefs, PersonStore } from './store.ts';
import { mentions } from './traces.ts';

/**
 * Where a person's items are, in every key space of the table (each adapter's key comment):
 *   CONTACT#<id>                 every item of the partition: profile, timeline, enrollments and
 *                                their waiters, journey states, sends, memberships, KPI state
 *   IDENTITY#<kind>#<value>      the identifiers on the profile, while they point at the person
 *   ORDER#<ref>                  the orders their `order.placed` events placed
 *   INBOX#<inboxId>              the deliveries their events came from (`data.cause`, `createdBy`)
 *   MESSAGE#<sesId>              their sends' SES message ids
 *   SUPPRESSION#<email>          a bounce or complaint of their address
 *   SEGMENT#<id> <contactId>     the member lists they are on (the count goes down with each)
 *   AGGDONE#<eventId>            aggregate markers whose id names them (`contact.unsubscribed:<id>…`)
 *   DELIVERY#<id>, ENDPOINT#<id> DELIVERY#…, WEBHOOK-DUE   outbound deliveries of their events and
 *                                journey steps, with their payloads, log entries and retry entries
 *   DUE#<hour>, ENROLLMENT-CHECKS, TASKS   time triggers, repair checks and owner tasks for them
 *   CONFLICTS, IMPORT#<id> ERROR#…         identity conflicts and import error rows naming them
 * Counters (COUNTERS#…) keep only numbers and are left as they are.
 */
export function createDynamoPersonStore(db: DynamoDBDocumentClient, tableName: string): PersonStore {
  const { batchGet, queryItems } = tableOps(db, tableName);
  const versions = createDynamoJourneyVersions(db, tableName);
  const ref = (item: Record<string, unknown>): ItemRef => ({
    pk: String(item.pk),
    sk: String(item.sk),
    type: typeof item.type === 'string' ? item.type : 'item',
  });
  const partition = (pk: string) => queryItems('pk = :pk', { ':pk': pk });
  /** A partition's items whose `contactId` is one of the person's, filtered by DynamoDB. */
  const partitionFor = async (pk: string, contactIds: readonly string[]) => {
    const values = Object.fromEntries(contactIds.map((id, i) => [`:c${i}`, id]));
    const items = await queryItems(
      'pk = :pk',
      { ':pk': pk, ...values },
      {
        filter: `contactId IN (${Object.keys(values).join(', ')})`,
        projection: 'pk, sk, #t',
        names: { '#t': 'type' },
      },
    );
    return items.map(ref);
  };

  async function readPerson(contactId: string): Promise<PersonRecords> {
    const records: PersonRecords = { contactId, events: [], enrollments: [], sends: [], memberships: [], items: [] };
    for (const item of await partition(contactPk(contactId))) {
      const data: unknown = strip(item);
      if (item.sk === 'PROFILE') {
        records.contact = data as Contact;
        records.profile = ref(item);
        continue;
      }
      records.items.push(ref(item));
      if (item.type === 'event') records.events.push(data as TimelineEvent);
      else if (item.type === 'enrollment') records.enrollments.push(data as Enrollment);
      else if (item.type === 'send') records.sends.push(data as SendRecord);
      else if (item.type === 'membership') records.memberships.push(data as Membership);
    }
    records.events.sort((a, b) => a.at.localeCompare(b.at) || a.eventId.localeCompare(b.eventId));
    return records;
  }

  /** Keys named by the person's records, read together; found items kept when `keep` allows. */
  async function byKey(
    keys: readonly { pk: string; sk: string }[],
    keep: (item: Record<string, unknown>) => boolean,
  ): Promise<ItemRef[]> {
    if (keys.length === 0) return [];
    return [...(await batchGet(keys)).values()].filter(keep).map(ref);
  }

  /** Outbound deliveries of the person's events and journey webhook steps (ids as the outbound service derives them). */
  async function deliveries(people: PersonRefs): Promise<ItemRef[]> {
    const endpoints = await partition('ENDPOINTS');
    if (endpoints.length === 0) return [];
    const keys = new Set<string>();
    for (const p of people) for (const e of p.events) keys.add(e.eventId);
    for (const p of people) {
      for (const enrollment of p.enrollments) {
        const version = await versions.getVersion(enrollment.journeyId, enrollment.journeyVersion);
        for (const [nodeId, node] of Object.entries(version?.document.nodes ?? {})) {
          if (node.type === 'webhook') keys.add(`journey:${enrollment.enrollmentId}:${nodeId}`);
        }
      }
    }
    const ids = endpoints.flatMap((e) => [...keys].map((key) => deterministicId('msg', String(e.sk), key)));
    const found = await batchGet(ids.map((id) => ({ pk: `DELIVERY#${id}`, sk: 'DELIVERY' })));
    return [...found.values()].flatMap((d) => [
      ref(d),
      { pk: `ENDPOINT#${d.endpointId}`, sk: `DELIVERY#${d.createdAt}#${d.deliveryId}`, type: 'webhook-log' },
      ...(typeof d.dueAt === 'string'
        ? [{ pk: 'WEBHOOK-DUE', sk: `${d.dueAt}#${d.deliveryId}`, type: 'webhook-due' }]
        : []),
    ]);
  }

  /** Due items of the person, in every listed hour's bucket (a few buckets at a time). */
  async function dueItems(contactIds: readonly string[]): Promise<ItemRef[]> {
    const hours = (await partition('DUE-HOURS')).map((h) => String(h.sk));
    const found: ItemRef[] = [];
    const worker = async () => {
      for (let hour = hours.shift(); hour !== undefined; hour = hours.shift())
        found.push(...(await partitionFor(`DUE#${hour}`, contactIds)));
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    return found;
  }

  /** Items of small registry partitions (conflicts, import error rows) that name the person anywhere. */
  async function registryMentions(needles: Parameters<typeof mentions>[1]): Promise<ItemRef[]> {
    const conflicts = (await partition('CONFLICTS')).filter((c) => mentions(strip(c), needles));
    const imports = await partition('IMPORTS');
    const errors: Record<string, unknown>[] = [];
    for (const imp of imports) {
      const rows = await queryItems('pk = :pk AND begins_with(sk, :e)', { ':pk': `IMPORT#${imp.sk}`, ':e': 'ERROR#' });
      errors.push(...rows.filter((row) => mentions(strip(row), needles)));
    }
    return [...conflicts, ...errors].map(ref);
  }

  async function findLinked(people: PersonRefs): Promise<ItemRef[]> {
    const contactIds = people.map((p) => p.contactId);
    const ours = (item: Record<string, unknown>) => contactIds.includes(String(item.contactId));
    const contacts = people.flatMap((p) => (p.contact ? [p.contact] : []));
    const events = people.flatMap((p) => p.events);
    const emails = [...new Set(contacts.flatMap((c) => (c.email ? [c.email] : [])))];
    const identities = contacts.flatMap((c) => [
      ...(c.email ? [['email', c.email]] : []),
      ...(c.phone ? [['phone', c.phone]] : []),
      ...Object.entries(c.externalIds ?? {}).filter(([, v]) => typeof v === 'string' && v !== ''),
      ...(c.anonymousIds ?? []).map((id) => ['anonymousId', id]),
    ]);
    const orderRefs = events.flatMap((e) =>
      e.name === 'order.placed' && typeof e.data.orderId === 'string'
        ? [`${String(e.data.provider ?? e.data.sourceId)}:${e.data.orderId}`]
        : [],
    );
    const causes = [
      ...contacts.map((c) => c.createdBy),
      ...events.flatMap((e) => (typeof e.data.cause === 'string' ? [e.data.cause] : [])),
    ];
    const inboxIds = causes.filter((c) => !c.startsWith('import:')).map((c) => c.replace(/#\d+$/, ''));
    const messageIds = [
      ...people.flatMap((p) => p.sends.flatMap((s) => (s.messageId ? [s.messageId] : []))),
      ...events.flatMap((e) => (typeof e.data.messageId === 'string' ? [e.data.messageId] : [])),
    ];
    const phones = contacts.flatMap((c) => (c.phone ? [c.phone] : []));
    const needles = {
      contains: [...contactIds, ...emails],
      equals: [...phones, ...identities.map(([, value]) => String(value))],
    };
    const markers = events.map((e) => e.eventId).filter((id) => mentions(id, needles));
    const key = (pk: string, sk: string) => ({ pk, sk });
    const found = await Promise.all([
      byKey(
        identities.map(([kind, value]) => key(`IDENTITY#${kind}#${value}`, 'IDENTITY')),
        ours,
      ),
      byKey(
        orderRefs.map((r) => key(`ORDER#${r}`, 'ORDER')),
        ours,
      ),
      byKey(
        messageIds.map((id) => key(`MESSAGE#${id}`, 'MESSAGE')),
        ours,
      ),
      byKey(
        inboxIds.map((id) => key(`INBOX#${id}`, 'INBOX')),
        () => true,
      ),
      byKey(
        emails.map((email) => key(`SUPPRESSION#${email}`, 'SUPPRESSION')),
        () => true,
      ),
      byKey(
        markers.map((id) => key(`AGGDONE#${id}`, 'AGGDONE')),
        () => true,
      ),
      byKey(
        people.flatMap((p) => p.memberships.map((m) => key(`SEGMENT#${m.segmentId}`, p.contactId))),
        ours,
      ),
      deliveries(people),
      dueItems(contactIds),
      partitionFor('ENROLLMENT-CHECKS', contactIds),
      partitionFor('TASKS', contactIds),
      registryMentions(needles),
    ]);
    return found.flat();
  }

  return { readPerson, findLinked, removeItems: createRemoval(db, tableName) };
}
