import type { ContactStore } from '#contacts/store.ts';
import type { EnrollmentStore } from '#journeys/store.ts';
import type { MessageRef, SendRecord, Suppression, TemplateVersion } from './model.ts';
import type { MessageStore, SendStore, SuppressionStore, TemplateStore } from './store.ts';

const clone = <T>(value: T): T => structuredClone(value);
const key = (...parts: string[]) => parts.join('|');

/** The owning store's reads and writes a send context and a recorded send go through. */
type Owner = Pick<ContactStore, 'getContact' | 'getEvent' | 'appendEvent'> &
  Pick<EnrollmentStore, 'getEnrollment'> &
  Pick<SendStore, 'getSend' | 'markSent'> &
  Pick<TemplateStore, 'getTemplate'> &
  Pick<MessageStore, 'putMessageRef'>;

/**
 * In-memory sends, suppressions, message references and templates with the same conditional
 * semantics as the DynamoDB adapter. `owner` is the owning store, called through for what it
 * composes.
 */
export function createMemoryMessaging(owner: () => Owner): SendStore & SuppressionStore & MessageStore & TemplateStore {
  const sends = new Map<string, SendRecord>();
  const suppressions = new Map<string, Suppression>();
  const messages = new Map<string, MessageRef>();
  const templates = new Map<string, TemplateVersion[]>();
  return {
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
      const store = owner();
      return {
        contact: await store.getContact(contactId),
        enrollment: await store.getEnrollment(contactId, enrollmentId),
        send: await store.getSend(contactId, sendKey),
        template: (await store.getTemplate(templateId)) ?? null,
        trigger: triggerEventId ? await store.getEvent(contactId, triggerEventId) : undefined,
      };
    },
    async recordSent(ref, at, event) {
      const store = owner();
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
}
