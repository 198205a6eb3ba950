import type { IdentifierKind } from '#core/canonical-event.ts';
import type { Contact, StoredScores, Subscription, TimelineEvent } from '#core/contact.ts';
import type { DueItem } from '#journeys/model.ts';
import type { IdentityConflict, IdentityRef, ImportRecord, ImportRowError, ProfileChange } from './model.ts';

/** The ports through which contacts, their timelines, conflicts and imports are kept (records in ./model.ts). */

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
  /**
   * Appends unless an event with the same id exists. With `onlyIfContact`, also only while the
   * contact's profile exists, in the same request: what arrives about a contact after it was
   * erased (a late email event) writes nothing.
   */
  appendEvent(
    event: TimelineEvent,
    options?: { onlyIfContact?: true },
  ): Promise<'appended' | 'duplicate' | 'no-contact'>;
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

export interface ConflictStore {
  putConflict(conflict: IdentityConflict): Promise<'recorded' | 'duplicate'>;
  listConflicts(): Promise<IdentityConflict[]>;
  setConflictStatus(conflictId: string, status: IdentityConflict['status']): Promise<boolean>;
}

export interface ImportStore {
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
