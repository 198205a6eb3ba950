import type { CanonicalEvent, IdentifierKind, Identifiers, PropertyValue } from '#core/canonical-event.ts';
import type {
  Contact,
  Enrollment,
  ExternalIds,
  Provenance,
  StoredScores,
  Subscription,
  TimelineEvent,
} from '#core/contact.ts';
import type { DueItem, DueStore, EnrollmentStore, JourneyStore, TaskStore, WaiterStore } from '#journeys/store.ts';
import type { CompiledTemplate, EmailTemplate } from '#messaging/templating/template.schema.ts';
import type { SegmentStore } from '#segments/store.ts';
import type { ApiScope } from '#sources/api-key.ts';
import type { SourceKind } from '#sources/providers/provider.ts';

export type { EnrollmentStore } from '#journeys/store.ts';

export interface StoredSecret {
  /** Sealed by the SecretBox (KMS on AWS); never stored or logged in clear. */
  sealed: string;
  createdAt: string;
  /** Set on the previous secret when a rotation starts: it verifies until then. */
  expiresAt?: string;
}

export interface DeliveryStats {
  accepted?: number;
  duplicate?: number;
  ignored?: number;
  lastDeliveryAt?: string;
}

export interface Source {
  sourceId: string;
  name: string;
  kind: SourceKind;
  /** Newest first; more than one only during a rotation's overlap window. */
  secrets: StoredSecret[];
  /** Provider-specific settings (e.g. Typeform's field mapping). */
  settings: Record<string, unknown>;
  status: 'active' | 'disabled';
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  /**
   * Delivery counts kept on the item: replays (`duplicate`, counted as they are refused) and,
   * from versions before stored deliveries were counted from the stream, accepted and ignored
   * ones. Shown added to the source's delivery counter (`withDeliveryCounts`).
   */
  stats?: DeliveryStats;
}

export interface InboxRecord {
  /** `<sourceId>:<provider event id>`: the key that makes a replayed delivery a no-op. */
  inboxId: string;
  sourceId: string;
  /** The provider's id for the delivery (webhook-id, X-Shopify-Event-Id, evt_..., messageId). */
  webhookId: string;
  /** Provider topic, e.g. `orders/create`, `invoice.paid`, `track`. */
  topic?: string;
  receivedAt: string;
  /** The raw body exactly as received (for audit and reprocessing). */
  body: string;
  /** What the body was normalised to at ingest; processing applies these. */
  events?: CanonicalEvent[];
  status: 'received' | 'ignored' | 'processed' | 'dead';
  /** Why an ignored record was ignored (unknown topic, no identifier). */
  reason?: string;
  processedAt?: string;
  error?: string;
}

export interface SourceStore {
  getSource(sourceId: string): Promise<Source | undefined>;
  /** Creates the source unless one with the same id exists. */
  createSource(source: Source): Promise<'created' | 'exists'>;
  /** Replaces secrets, settings, name or status (everything but id, kind and stats). */
  updateSource(source: Source): Promise<void>;
  listSources(): Promise<Source[]>;
  /** Counts a refused replay on the source item (stored deliveries are counted from the stream). */
  countDelivery(sourceId: string, outcome: 'duplicate', at: string): Promise<void>;
}

export interface InboxStore {
  /**
   * Writes the record unless one with the same inboxId exists. A stored record is counted on its
   * source from the stream (aggregate-events); a duplicate is not, and the caller counts it.
   */
  putInboxOnce(record: InboxRecord): Promise<'stored' | 'duplicate'>;
  getInbox(inboxId: string): Promise<InboxRecord | undefined>;
}

/** An identifier as stored in the identity index: one contact per (kind, value). */
export interface IdentityRef {
  kind: IdentifierKind;
  value: string;
}

/** A change to a contact's profile and identity, applied only if `version` is unchanged. */
export interface ProfileChange {
  email?: string;
  phone?: string;
  externalIds?: ExternalIds;
  addAnonymousIds?: string[];
  firstName?: string | null;
  lastName?: string | null;
  setProperties?: Record<string, PropertyValue>;
  removeProperties?: string[];
  provenance?: Record<string, Provenance>;
  mergedInto?: string;
  /** The whole tag list after the change. */
  tags?: string[];
}

export interface ContactStore {
  findContactIdByEmail(email: string): Promise<string | undefined>;
  findContactIdByIdentifier(kind: IdentifierKind, value: string): Promise<string | undefined>;
  getContact(contactId: string): Promise<Contact | undefined>;
  /**
   * Creates the contact, its identity index entries and its first timeline event atomically (and
   * `cause`, the event that made it, when given: one write instead of two);
   * `identifier-taken` when another contact already holds one of the identifiers.
   */
  createContact(
    contact: Contact,
    firstEvent: TimelineEvent,
    identities: IdentityRef[],
    cause?: TimelineEvent,
  ): Promise<'created' | 'identifier-taken'>;
  /** Points (kind, value) at the contact if free or already its own; false when another holds it. */
  claimIdentifier(ref: IdentityRef, contactId: string): Promise<boolean>;
  /** Re-points an identifier from one contact to another (merges); false if `from` no longer holds it. */
  moveIdentifier(ref: IdentityRef, from: string, to: string): Promise<boolean>;
  /** Applies the change if the contact's version is still `expectedVersion`; false otherwise. */
  changeProfile(contactId: string, expectedVersion: number, change: ProfileChange, at: string): Promise<boolean>;
  /**
   * Keeps the contact's computed scores (no version bump: they follow the profile, never race
   * it), and with them, when given, the latest times of some events (as `touchLastEvents`).
   */
  setScores(
    contactId: string,
    scores: StoredScores,
    at: string,
    profileVersion: number,
    lastEvents?: Readonly<Record<string, string>>,
  ): Promise<void>;
  /** Returns false when the contact was already unsubscribed. */
  markUnsubscribed(contactId: string, at: string): Promise<boolean>;
  /** Leaves or rejoins all marketing mail (the preference centre's "unsubscribe from all"). */
  setGlobalUnsubscribe(contactId: string, unsubscribedAt: string | null, at: string): Promise<void>;
  setSubscription(contactId: string, topicId: string, subscription: Subscription): Promise<void>;
  /** Appends unless an event with the same id exists. */
  appendEvent(event: TimelineEvent): Promise<'appended' | 'duplicate'>;
  /** Newest first. */
  listEvents(contactId: string, limit: number): Promise<TimelineEvent[]>;
  getEvent(contactId: string, eventId: string): Promise<TimelineEvent | undefined>;
  /** Remembers who placed an order (`<provider>:<orderId>`), for events that name only the order. */
  putOrderRef(orderRef: string, contactId: string): Promise<void>;
  /**
   * Appends an event with what goes with it, in one request: the reference of the order it
   * places and the time-trigger items it arms. The event is written as it is, whether or not it
   * was before (its id is derived from the delivery, so a replay writes the same item).
   */
  appendEventWith(event: TimelineEvent, with_: { orderRef?: string; dues?: readonly DueItem[] }): Promise<void>;
  findContactIdByOrder(orderRef: string): Promise<string | undefined>;
}

/** Two identified contacts an event tied together; recorded for a person to review, never merged. */
export interface IdentityConflict {
  /** Deterministic from the cause, so a replay records nothing new. */
  conflictId: string;
  kind: 'two-contacts' | 'different-identifier';
  /** The contact the event was applied to, then the other(s). */
  contactIds: string[];
  identifiers: Identifiers;
  /** The inbox record, API message or import row that raised it. */
  cause: string;
  detail: string;
  at: string;
  status: 'open' | 'dismissed';
}

export interface ApiKey {
  keyId: string;
  name: string;
  scopes: ApiScope[];
  /** SHA-256 (hex) of the key's secret part; the key itself is shown once, at creation. */
  hash: string;
  createdAt: string;
  createdBy: string;
  revokedAt?: string;
  lastUsedAt?: string;
}

export interface ImportRecord {
  importId: string;
  mode: 'merge' | 'replace';
  dryRun: boolean;
  fileName?: string;
  status: 'running' | 'completed';
  createdAt: string;
  createdBy: string;
  completedAt?: string;
  counts: { rows: number; created: number; updated: number; unchanged: number; failed: number; conflicts: number };
}

export interface ImportRowError {
  row: number;
  message: string;
  values?: Record<string, string>;
}

export interface RegistryStore {
  putConflict(conflict: IdentityConflict): Promise<'recorded' | 'duplicate'>;
  listConflicts(): Promise<IdentityConflict[]>;
  setConflictStatus(conflictId: string, status: IdentityConflict['status']): Promise<boolean>;

  createApiKey(key: ApiKey): Promise<void>;
  getApiKey(keyId: string): Promise<ApiKey | undefined>;
  listApiKeys(): Promise<ApiKey[]>;
  revokeApiKey(keyId: string, at: string): Promise<boolean>;
  touchApiKey(keyId: string, at: string): Promise<void>;

  createImport(record: ImportRecord): Promise<void>;
  getImport(importId: string): Promise<ImportRecord | undefined>;
  /**
   * Records one applied batch: adds its counts and errors unless the batch (by first row) was
   * recorded before, so a retried batch counts once. Returns false for such a repeat.
   */
  recordImportBatch(
    importId: string,
    firstRow: number,
    counts: Omit<ImportRecord['counts'], 'rows'> & { rows: number },
    errors: ImportRowError[],
  ): Promise<boolean>;
  completeImport(importId: string, at: string): Promise<void>;
  listImportErrors(importId: string, limit: number): Promise<ImportRowError[]>;
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

/** What a journey send reads before it decides, fetched together. */
export interface SendContext {
  contact?: Contact;
  enrollment?: Enrollment;
  /** An earlier attempt of the same send. */
  send?: SendRecord;
  /** The saved template (null: none saved, the shipped one applies). */
  template: TemplateVersion | null;
  /** The event that started the enrollment. */
  trigger?: TimelineEvent;
}

export interface SendStore {
  getSend(contactId: string, sendKey: string): Promise<SendRecord | undefined>;
  /** The contact, enrollment, earlier attempt, saved template and trigger event, in one round trip. */
  getSendContext(req: {
    contactId: string;
    enrollmentId: string;
    sendKey: string;
    templateId: string;
    triggerEventId?: string;
  }): Promise<SendContext>;
  /**
   * Records a send SES accepted, at once: the message reference, the send as sent (unless SES's
   * Send event did it first) and its `email.sent` timeline event.
   */
  recordSent(ref: MessageRef, at: string, event: TimelineEvent): Promise<void>;
  claimSend(record: Omit<SendRecord, 'status' | 'sentAt' | 'messageId'>): Promise<ClaimOutcome>;
  /**
   * Takes over a claim in doubt whose confirmation window passed: its claim time moves to
   * `claimedAt`, if it is still unsent and still claimed at `previous` (false otherwise: another
   * attempt took it over, or SES's Send event marked it sent).
   */
  renewClaim(contactId: string, sendKey: string, previous: string, claimedAt: string): Promise<boolean>;
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
    TemplateStore,
    RegistryStore,
    JourneyStore,
    WaiterStore,
    TaskStore,
    DueStore,
    SegmentStore {}

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
