import type { Subscription } from '#domain/consent.ts';
import type { Contact, Enrollment, EnrollmentStatus, TimelineEvent } from '#domain/contact.ts';
import type { CompiledTemplate, EmailTemplate } from '#templating/template.schema.ts';

export interface Source {
  sourceId: string;
  name: string;
  kind: 'standard-webhooks';
  /** `whsec_<base64>` signing secret. */
  secret: string;
  status: 'active' | 'disabled';
}

export interface InboxRecord {
  /** `<sourceId>:<webhook-id>`: the key that makes a replayed delivery a no-op. */
  inboxId: string;
  sourceId: string;
  webhookId: string;
  receivedAt: string;
  /** The raw body exactly as received. */
  body: string;
  status: 'received' | 'processed' | 'dead';
  processedAt?: string;
  error?: string;
}

export interface SourceStore {
  getSource(sourceId: string): Promise<Source | undefined>;
  putSource(source: Source): Promise<void>;
}

export interface InboxStore {
  /** Writes the record unless one with the same inboxId exists. */
  putInboxOnce(record: InboxRecord): Promise<'stored' | 'duplicate'>;
  getInbox(inboxId: string): Promise<InboxRecord | undefined>;
  markInbox(inboxId: string, status: 'processed' | 'dead', at: string, error?: string): Promise<void>;
}

export type ContactPatch = Partial<Pick<Contact, 'firstName' | 'lastName'>> & {
  properties?: Contact['properties'];
};

export interface ContactStore {
  findContactIdByEmail(email: string): Promise<string | undefined>;
  getContact(contactId: string): Promise<Contact | undefined>;
  /** Creates the contact, its email index and its first timeline event atomically. */
  createContact(contact: Contact, firstEvent: TimelineEvent): Promise<'created' | 'email-taken'>;
  updateContact(contactId: string, patch: ContactPatch, at: string): Promise<void>;
  /** Returns false when the contact was already unsubscribed. */
  markUnsubscribed(contactId: string, at: string): Promise<boolean>;
  /** Leaves or rejoins all marketing mail (the preference centre's "unsubscribe from all"). */
  setGlobalUnsubscribe(contactId: string, unsubscribedAt: string | null, at: string): Promise<void>;
  setSubscription(contactId: string, topicId: string, subscription: Subscription): Promise<void>;
  /** Appends unless an event with the same id exists. */
  appendEvent(event: TimelineEvent): Promise<'appended' | 'duplicate'>;
  /** Newest first. */
  listEvents(contactId: string, limit: number): Promise<TimelineEvent[]>;
}

export interface EnrollmentStore {
  createEnrollment(enrollment: Enrollment): Promise<'created' | 'exists'>;
  getEnrollment(contactId: string, enrollmentId: string): Promise<Enrollment | undefined>;
  setExecutionArn(contactId: string, enrollmentId: string, executionArn: string): Promise<void>;
  /** Moves an active enrollment to its end state; false when it had already ended. */
  endEnrollment(
    contactId: string,
    enrollmentId: string,
    status: Exclude<EnrollmentStatus, 'active'>,
    at: string,
  ): Promise<boolean>;
  listEnrollments(contactId: string): Promise<Enrollment[]>;
}

export interface SendRecord {
  contactId: string;
  /** `<enrollmentId>#<nodeId>`: one send per journey step. */
  sendKey: string;
  /** Journey sends count towards the frequency cap; test sends do not. */
  kind: 'journey' | 'test';
  template: string;
  status: 'sending' | 'sent';
  claimedAt: string;
  sentAt?: string;
  messageId?: string;
}

export type ClaimOutcome =
  | { outcome: 'claimed' }
  | { outcome: 'sent'; record: SendRecord }
  /** An earlier attempt claimed the send and never recorded the result: it may have gone out. */
  | { outcome: 'in-doubt'; record: SendRecord };

export interface SendStore {
  getSend(contactId: string, sendKey: string): Promise<SendRecord | undefined>;
  claimSend(record: Omit<SendRecord, 'status' | 'sentAt' | 'messageId'>): Promise<ClaimOutcome>;
  /** Records the send as gone; safe to call from the send path and from SES's Send event alike. */
  markSent(contactId: string, sendKey: string, messageId: string, at: string): Promise<void>;
  /** Sends that went out at or after `since` (ISO), any journey. */
  listSentSince(contactId: string, since: string): Promise<SendRecord[]>;
}

export interface Suppression {
  email: string;
  reason: 'bounce' | 'complaint';
  at: string;
  messageId: string;
}

export interface SuppressionStore {
  getSuppression(email: string): Promise<Suppression | undefined>;
  /** Adds the address unless it is already suppressed; returns whether it was added. */
  putSuppression(entry: Suppression): Promise<boolean>;
}

/** Which contact and send an SES message id belongs to, for events that carry no tags. */
export interface MessageRef {
  messageId: string;
  contactId: string;
  sendKey: string;
}

export interface MessageStore {
  putMessageRef(ref: MessageRef): Promise<void>;
  getMessageRef(messageId: string): Promise<MessageRef | undefined>;
}

export interface TendStore
  extends SourceStore,
    InboxStore,
    ContactStore,
    EnrollmentStore,
    SendStore,
    SuppressionStore,
    MessageStore,
    TemplateStore {}

/** One saved version of a template: its source, what it compiled to, who saved it and when. */
export interface TemplateVersion {
  id: string;
  version: number;
  source: EmailTemplate;
  compiled: CompiledTemplate;
  savedAt: string;
  savedBy: string;
}

export interface TemplateStore {
  getTemplate(id: string): Promise<TemplateVersion | undefined>;
  /** Saves `version.version`, which must be one more than the current version (or 1). */
  saveTemplateVersion(version: TemplateVersion): Promise<'saved' | 'conflict'>;
  listTemplates(): Promise<Pick<TemplateVersion, 'id' | 'version' | 'savedAt' | 'savedBy'>[]>;
  listTemplateVersions(id: string): Promise<TemplateVersion[]>;
}
