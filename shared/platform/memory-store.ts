import { createMemoryRegistry } from '#contacts/memory-registry.ts';
import type { IdentityRef } from '#contacts/store.ts';
import type { Contact, TimelineEvent } from '#core/contact.ts';
import { createMemoryJourneyRuntimeStores, createMemoryJourneyStore } from '#journeys/memory-journeys.ts';
import type {
  ExecutionInspector,
  ExecutionPath,
  JourneyRuntime,
  JourneyStore,
  StartEnrollment,
} from '#journeys/store.ts';
import type { MailSender, OutgoingEmail } from '#messaging/mail.ts';
import type { MessageRef, SendRecord, Suppression, TemplateVersion } from '#messaging/store.ts';
import { createMemorySegmentStore } from '#segments/memory-segments.ts';
import type { StoredSegment } from '#segments/store.ts';
import type { InboxRecord, Source } from '#sources/store.ts';
import type { TendStore } from './store.ts';

const clone = <T>(value: T): T => structuredClone(value);

/**
 * In-memory TendStore with the same conditional semantics as the DynamoDB adapter. `journeys`
 * lets several stores share one set of published journeys (the simulator's contacts do).
 */
export function createMemoryStore(options: { journeys?: JourneyStore; segments?: readonly StoredSegment[] } = {}) {
  const sources = new Map<string, Source>();
  const inbox = new Map<string, InboxRecord>();
  const identities = new Map<string, string>();
  const idKey = (ref: IdentityRef) => `${ref.kind}#${ref.value}`;
  const contacts = new Map<string, Contact>();
  const events = new Map<string, TimelineEvent>();
  const sends = new Map<string, SendRecord>();
  const suppressions = new Map<string, Suppression>();
  const messages = new Map<string, MessageRef>();
  const templates = new Map<string, TemplateVersion[]>();
  const orders = new Map<string, string>();
  const key = (...parts: string[]) => parts.join('|');

  const runtimeStores = createMemoryJourneyRuntimeStores(contacts, (event) => store.appendEvent(event));
  const store: TendStore = {
    ...createMemoryRegistry(),
    ...(options.journeys ?? createMemoryJourneyStore()),
    ...runtimeStores,
    ...createMemorySegmentStore(
      (event) => store.appendEvent(event),
      options.segments,
      (contactId) => store.getContact(contactId),
    ),
    async getSource(id) {
      const source = sources.get(id);
      return source && clone(source);
    },
    async createSource(source) {
      if (sources.has(source.sourceId)) return 'exists';
      sources.set(source.sourceId, clone(source));
      return 'created';
    },
    async updateSource(source) {
      const existing = sources.get(source.sourceId);
      if (!existing) throw new Error(`no source ${source.sourceId}`);
      const { name, secrets, settings, status, updatedAt } = clone(source);
      Object.assign(existing, { name, secrets, settings, status, updatedAt });
    },
    async listSources() {
      return [...sources.values()].map(clone);
    },
    async countDelivery(id, outcome, at) {
      const source = sources.get(id);
      if (!source) return;
      source.stats = { ...source.stats, [outcome]: (source.stats?.[outcome] ?? 0) + 1, lastDeliveryAt: at };
    },
    async putInboxOnce(record) {
      if (inbox.has(record.inboxId)) return 'duplicate';
      inbox.set(record.inboxId, clone(record));
      return 'stored';
    },
    async getInbox(id) {
      const record = inbox.get(id);
      return record && clone(record);
    },
    async findContactIdByEmail(email) {
      return identities.get(idKey({ kind: 'email', value: email }));
    },
    async findContactIdByIdentifier(kind, value) {
      return identities.get(idKey({ kind, value }));
    },
    async getContact(id) {
      const contact = contacts.get(id);
      return contact && clone(contact);
    },
    async createContact(contact, firstEvent, refs, cause) {
      if (refs.some((ref) => identities.has(idKey(ref)))) return 'identifier-taken';
      for (const ref of refs) identities.set(idKey(ref), contact.contactId);
      contacts.set(contact.contactId, clone(contact));
      for (const event of cause ? [firstEvent, cause] : [firstEvent])
        events.set(key(event.contactId, event.eventId), clone(event));
      return 'created';
    },
    async claimIdentifier(ref, contactId) {
      const holder = identities.get(idKey(ref));
      if (holder && holder !== contactId) return false;
      identities.set(idKey(ref), contactId);
      return true;
    },
    async moveIdentifier(ref, from, to) {
      if (identities.get(idKey(ref)) !== from) return false;
      identities.set(idKey(ref), to);
      return true;
    },
    async changeProfile(id, expectedVersion, change, at) {
      const contact = contacts.get(id);
      if (!contact || (contact.version ?? 0) !== expectedVersion) return false;
      const c = clone(change);
      if (c.email !== undefined) contact.email = c.email;
      if (c.phone !== undefined) contact.phone = c.phone;
      if (c.mergedInto !== undefined) contact.mergedInto = c.mergedInto;
      for (const field of ['firstName', 'lastName'] as const) {
        if (c[field] === null) delete contact[field];
        else if (c[field] !== undefined) contact[field] = c[field];
      }
      if (c.externalIds && Object.keys(c.externalIds).length > 0) contact.externalIds = c.externalIds;
      if (c.tags) contact.tags = [...c.tags];
      if (c.addAnonymousIds?.length) contact.anonymousIds = [...(contact.anonymousIds ?? []), ...c.addAnonymousIds];
      Object.assign(contact.properties, c.setProperties ?? {});
      for (const k of c.removeProperties ?? []) delete contact.properties[k];
      contact.provenance = { ...contact.provenance, ...c.provenance };
      contact.version = expectedVersion + 1;
      contact.updatedAt = at;
      return true;
    },
    async setScores(id, scores, at, profileVersion, lastEvents) {
      const contact = contacts.get(id);
      if (contact) Object.assign(contact, { scores: clone(scores), scoresAt: at, scoresVersion: profileVersion });
      if (lastEvents) await store.touchLastEvents(id, lastEvents);
    },
    async markUnsubscribed(id, at) {
      const contact = contacts.get(id);
      if (!contact || contact.unsubscribedAt) return false;
      contact.unsubscribedAt = at;
      return true;
    },
    async setGlobalUnsubscribe(id, unsubscribedAt, at) {
      const contact = contacts.get(id);
      if (!contact) throw new Error(`no contact ${id}`);
      if (unsubscribedAt) contact.unsubscribedAt = unsubscribedAt;
      else delete contact.unsubscribedAt;
      contact.updatedAt = at;
    },
    async setSubscription(id, topicId, subscription) {
      const contact = contacts.get(id);
      if (!contact) throw new Error(`no contact ${id}`);
      contact.subscriptions = { ...contact.subscriptions, [topicId]: clone(subscription) };
      contact.updatedAt = subscription.at;
    },
    async appendEvent(event) {
      const k = key(event.contactId, event.eventId);
      if (events.has(k)) return 'duplicate';
      events.set(k, clone(event));
      return 'appended';
    },
    async putOrderRef(orderRef, contactId) {
      orders.set(orderRef, contactId);
    },
    async appendEventWith(event, { orderRef, dues = [] }) {
      await store.appendEvent(event);
      if (orderRef) orders.set(orderRef, event.contactId);
      if (dues.length > 0) await store.putDue(dues);
    },
    async findContactIdByOrder(orderRef) {
      return orders.get(orderRef);
    },
    async getEvent(contactId, eventId) {
      const event = events.get(key(contactId, eventId));
      return event && clone(event);
    },
    async listEvents(contactId, limit) {
      return [...events.values()]
        .filter((e) => e.contactId === contactId)
        .sort((a, b) => `${b.at}#${b.eventId}`.localeCompare(`${a.at}#${a.eventId}`))
        .slice(0, limit)
        .map(clone);
    },
    async getSend(contactId, sendKey) {
      const record = sends.get(key(contactId, sendKey));
      return record && clone(record);
    },
    async claimSend(claim) {
      const k = key(claim.contactId, claim.sendKey);
      const existing = sends.get(k);
      if (existing) {
        return existing.status === 'sent'
          ? { outcome: 'sent', record: clone(existing) }
          : { outcome: 'in-doubt', record: clone(existing) };
      }
      sends.set(k, { ...claim, status: 'sending' });
      return { outcome: 'claimed' };
    },
    async renewClaim(contactId, sendKey, previous, claimedAt) {
      const existing = sends.get(key(contactId, sendKey));
      if (existing?.status !== 'sending' || existing.claimedAt !== previous) return false;
      existing.claimedAt = claimedAt;
      return true;
    },
    async getSendContext({ contactId, enrollmentId, sendKey, templateId, triggerEventId }) {
      return {
        contact: await store.getContact(contactId),
        enrollment: await store.getEnrollment(contactId, enrollmentId),
        send: await store.getSend(contactId, sendKey),
        template: (await store.getTemplate(templateId)) ?? null,
        trigger: triggerEventId ? await store.getEvent(contactId, triggerEventId) : undefined,
      };
    },
    async recordSent(ref, at, event) {
      await store.putMessageRef(ref);
      await store.markSent(ref.contactId, ref.sendKey, ref.messageId, at);
      await store.appendEvent(event);
    },
    async markSent(contactId, sendKey, messageId, at) {
      const record = sends.get(key(contactId, sendKey));
      if (!record || record.status === 'sent') return;
      Object.assign(record, { status: 'sent', messageId, sentAt: at });
    },
    async listSentSince(contactId, since) {
      return [...sends.values()]
        .filter((s) => s.contactId === contactId && s.status === 'sent' && (s.sentAt ?? '') >= since)
        .map(clone);
    },
    async getTemplate(id) {
      const versions = templates.get(id);
      const current = versions?.at(-1);
      return current && clone(current);
    },
    async saveTemplateVersion(v) {
      const versions = templates.get(v.id) ?? [];
      if (v.version !== versions.length + 1) return 'conflict';
      templates.set(v.id, [...versions, clone(v)]);
      return 'saved';
    },
    async listTemplates() {
      return [...templates.values()].map((vs) => {
        const { id, version, savedAt, savedBy } = vs.at(-1) as TemplateVersion;
        return { id, version, savedAt, savedBy };
      });
    },
    async listTemplateVersions(id) {
      return (templates.get(id) ?? []).map(clone);
    },
    async getSuppression(email) {
      const entry = suppressions.get(email);
      return entry && clone(entry);
    },
    async putSuppression(entry) {
      if (suppressions.has(entry.email)) return false;
      suppressions.set(entry.email, clone(entry));
      return true;
    },
    async putMessageRef(ref) {
      messages.set(ref.messageId, clone(ref));
    },
    async getMessageRef(messageId) {
      const ref = messages.get(messageId);
      return ref && clone(ref);
    },
  };
  return {
    store,
    sizes: () => ({ inbox: inbox.size, contacts: contacts.size, events: events.size }),
  };
}

/** Records sent mail instead of sending it. */
export function createMemoryMail(): MailSender & { sent: OutgoingEmail[] } {
  const sent: OutgoingEmail[] = [];
  return {
    sent,
    async send(email) {
      sent.push(clone(email));
      return { messageId: `m-${sent.length}` };
    },
  };
}

/**
 * A JourneyRuntime that records what it is asked: started executions (the same name and input
 * start one, as on AWS), stops, resumed task tokens and publications. A started execution reads
 * as RUNNING unless `statuses` says otherwise; one removed from `started` no longer exists.
 */
export function createMemoryJourneys() {
  const started: StartEnrollment[] = [];
  const stopped: { executionArn: string; reason: string }[] = [];
  const resumed: { taskToken: string; output: unknown }[] = [];
  const published: { journeyId: string; definition: string; version: number }[] = [];
  const statuses = new Map<string, ExecutionPath['status']>();
  const executionArnFor = (stateMachineArn: string, enrollmentId: string) =>
    `${stateMachineArn.replace(':stateMachine:', ':execution:').replace(/:\d+$/, '')}:${enrollmentId}`;
  const arnOf = (request: StartEnrollment) => executionArnFor(request.stateMachineArn, request.enrollmentId);
  const runtime: JourneyRuntime & ExecutionInspector = {
    executionArnFor,
    async start(request) {
      const existing = started.find((s) => s.enrollmentId === request.enrollmentId && arnOf(s) === arnOf(request));
      if (existing && JSON.stringify(existing.input) !== JSON.stringify(request.input)) {
        throw Object.assign(new Error('execution already exists with other input'), { name: 'ExecutionAlreadyExists' });
      }
      if (!existing) started.push(clone(request));
      return { executionArn: arnOf(request) };
    },
    async stop(executionArn, reason) {
      stopped.push({ executionArn, reason });
    },
    async executionStatus(executionArn) {
      if (!started.some((s) => arnOf(s) === executionArn)) return undefined;
      return statuses.get(executionArn) ?? 'RUNNING';
    },
    async resume(taskToken, output) {
      if (resumed.some((r) => r.taskToken === taskToken)) return 'gone';
      resumed.push({ taskToken, output: clone(output) });
      return 'resumed';
    },
    async publish(journeyId, definition) {
      const version = published.filter((p) => p.journeyId === journeyId).length + 1;
      published.push({ journeyId, definition, version });
      const stateMachineArn = `arn:aws:states:us-east-1:000000000000:stateMachine:tend-${journeyId}`;
      return { stateMachineArn, versionArn: `${stateMachineArn}:${version}`, aliasArn: `${stateMachineArn}:live` };
    },
  };
  return Object.assign(runtime, { started, stopped, resumed, published, statuses });
}
