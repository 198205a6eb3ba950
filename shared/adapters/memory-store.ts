import type { Contact, Enrollment, TimelineEvent } from '#domain/contact.ts';
import type { JourneyRuntime, StartEnrollment } from '#ports/journeys.ts';
import type { MailSender, OutgoingEmail } from '#ports/mail.ts';
import type {
  IdentityRef,
  InboxRecord,
  MessageRef,
  SendRecord,
  Source,
  Suppression,
  TemplateVersion,
  TendStore,
} from '#ports/store.ts';
import { createMemoryRegistry } from './memory-registry.ts';

const clone = <T>(value: T): T => structuredClone(value);

/** In-memory TendStore with the same conditional semantics as the DynamoDB adapter. */
export function createMemoryStore() {
  const sources = new Map<string, Source>();
  const inbox = new Map<string, InboxRecord>();
  const identities = new Map<string, string>();
  const idKey = (ref: IdentityRef) => `${ref.kind}#${ref.value}`;
  const contacts = new Map<string, Contact>();
  const events = new Map<string, TimelineEvent>();
  const enrollments = new Map<string, Enrollment>();
  const sends = new Map<string, SendRecord>();
  const suppressions = new Map<string, Suppression>();
  const messages = new Map<string, MessageRef>();
  const templates = new Map<string, TemplateVersion[]>();
  const key = (...parts: string[]) => parts.join('|');

  const store: TendStore = {
    ...createMemoryRegistry(),
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
    async markInbox(id, status, at, error) {
      const record = inbox.get(id);
      if (!record) throw new Error(`no inbox record ${id}`);
      Object.assign(record, { status, processedAt: at }, error ? { error } : {});
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
    async createContact(contact, firstEvent, refs) {
      if (refs.some((ref) => identities.has(idKey(ref)))) return 'identifier-taken';
      for (const ref of refs) identities.set(idKey(ref), contact.contactId);
      contacts.set(contact.contactId, clone(contact));
      events.set(key(firstEvent.contactId, firstEvent.eventId), clone(firstEvent));
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
      if (c.addAnonymousIds?.length) contact.anonymousIds = [...(contact.anonymousIds ?? []), ...c.addAnonymousIds];
      Object.assign(contact.properties, c.setProperties ?? {});
      for (const k of c.removeProperties ?? []) delete contact.properties[k];
      contact.provenance = { ...contact.provenance, ...c.provenance };
      contact.version = expectedVersion + 1;
      contact.updatedAt = at;
      return true;
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
    async listEvents(contactId, limit) {
      return [...events.values()]
        .filter((e) => e.contactId === contactId)
        .sort((a, b) => `${b.at}#${b.eventId}`.localeCompare(`${a.at}#${a.eventId}`))
        .slice(0, limit)
        .map(clone);
    },
    async createEnrollment(enrollment) {
      const k = key(enrollment.contactId, enrollment.enrollmentId);
      if (enrollments.has(k)) return 'exists';
      enrollments.set(k, clone(enrollment));
      return 'created';
    },
    async getEnrollment(contactId, enrollmentId) {
      const e = enrollments.get(key(contactId, enrollmentId));
      return e && clone(e);
    },
    async setExecutionArn(contactId, enrollmentId, executionArn) {
      const e = enrollments.get(key(contactId, enrollmentId));
      if (!e) throw new Error(`no enrollment ${enrollmentId}`);
      e.executionArn = executionArn;
    },
    async endEnrollment(contactId, enrollmentId, status, at) {
      const e = enrollments.get(key(contactId, enrollmentId));
      if (e?.status !== 'active') return false;
      Object.assign(e, { status, endedAt: at });
      return true;
    },
    async listEnrollments(contactId) {
      return [...enrollments.values()].filter((e) => e.contactId === contactId).map(clone);
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
    sizes: () => ({ inbox: inbox.size, contacts: contacts.size, events: events.size, enrollments: enrollments.size }),
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

/** Records started enrollments; the same name and input start one execution, as on AWS. */
export function createMemoryJourneys(): JourneyRuntime & { started: StartEnrollment[] } {
  const started: StartEnrollment[] = [];
  return {
    started,
    async start(request) {
      const existing = started.find(
        (s) => s.journeyId === request.journeyId && s.enrollmentId === request.enrollmentId,
      );
      if (existing && JSON.stringify(existing.input) !== JSON.stringify(request.input)) {
        throw Object.assign(new Error('execution already exists with other input'), { name: 'ExecutionAlreadyExists' });
      }
      if (!existing) started.push(clone(request));
      return {
        executionArn: `arn:aws:states:us-east-1:000000000000:execution:${request.journeyId}:${request.enrollmentId}`,
      };
    },
  };
}
