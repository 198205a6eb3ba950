import type { Contact, Enrollment, TimelineEvent } from '#core/contact.ts';
import type { MessageRef, SendRecord, Suppression, TemplateVersion } from './model.ts';

/** The ports through which sends, suppressions, message references and templates are kept (records in ./model.ts). */

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

export interface SuppressionStore {
  getSuppression(email: string): Promise<Suppression | undefined>;
  /** Adds the address unless it is already suppressed; returns whether it was added. */
  putSuppression(entry: Suppression): Promise<boolean>;
}

export interface MessageStore {
  putMessageRef(ref: MessageRef): Promise<void>;
  getMessageRef(messageId: string): Promise<MessageRef | undefined>;
}

export interface TemplateStore {
  getTemplate(id: string): Promise<TemplateVersion | undefined>;
  /** Saves `version.version`, which must be one more than the current version (or 1). */
  saveTemplateVersion(version: TemplateVersion): Promise<'saved' | 'conflict'>;
  listTemplates(): Promise<Pick<TemplateVersion, 'id' | 'version' | 'savedAt' | 'savedBy'>[]>;
  listTemplateVersions(id: string): Promise<TemplateVersion[]>;
}
