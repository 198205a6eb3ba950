import type { Contact, Enrollment, EnrollmentStatus, TimelineEvent } from '#domain/contact.ts';

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
  status: 'sending' | 'sent';
  claimedAt: string;
  sentAt?: string;
  messageId?: string;
}

export interface SendStore {
  /** Claims a send; 'sent' when it already went out (the caller must not send again). */
  claimSend(
    contactId: string,
    sendKey: string,
    at: string,
  ): Promise<{ outcome: 'claimed' } | { outcome: 'sent'; record: SendRecord }>;
  markSent(contactId: string, sendKey: string, messageId: string, at: string): Promise<void>;
}

export interface TendStore extends SourceStore, InboxStore, ContactStore, EnrollmentStore, SendStore {}
