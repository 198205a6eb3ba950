import type { Contact, Enrollment, Subscription, TimelineEvent } from '#core/contact.ts';
import type { ExecutionPath } from '#journeys/store.ts';
import type { SendRecord } from '#messaging/model.ts';
import type { ContactScores } from '#scoring/scores.ts';
import type { Membership } from '#segments/model.ts';

/** What privacy requests keep: the erase requests, the erased-address list, and what an export holds. */

/**
 * An erase request. While it runs it holds the contact id (the erase needs it); when done it
 * keeps only its id, status, times, what it removed and the keyed hash of the address, so the
 * request itself names nobody.
 */
export interface PrivacyRequest {
  /** A keyed hash of the contact id: asking twice for the same contact finds the same request. */
  requestId: string;
  kind: 'erase';
  status: 'running' | 'done';
  requestedAt: string;
  /** When the erase last started (a request re-armed after its consumer gave up starts again). */
  startedAt: string;
  doneAt?: string;
  /** Items removed, by kind (`contact`, `event`, `identity`, `enrollment`, …); added to as it goes. */
  removed: Record<string, number>;
  /** The keyed hash of the lower-cased email (absent for a contact without one). */
  hash?: string;
  /** Only while running. */
  contactId?: string;
}

/** A request as the API shows it. */
export interface PrivacyRequestView {
  requestId: string;
  status: PrivacyRequest['status'];
  requestedAt: string;
  doneAt?: string;
  removed?: Record<string, number>;
}

export const requestView = (r: PrivacyRequest): PrivacyRequestView => ({
  requestId: r.requestId,
  status: r.status,
  requestedAt: r.requestedAt,
  ...(r.doneAt ? { doneAt: r.doneAt } : {}),
  ...(Object.keys(r.removed ?? {}).length > 0 ? { removed: r.removed } : {}),
});

/**
 * An address erased on request, by its keyed hash only: an import does not bring the person
 * back, until they sign up again themselves.
 */
export interface ErasedAddress {
  hash: string;
  erasedAt: string;
  requestId: string;
}

/**
 * A stored item as the erase handles it: its key and its kind. Opaque to the service (the
 * adapter that found it removes it), so the key layout stays in the adapter.
 */
export interface ItemRef {
  pk: string;
  sk: string;
  type: string;
}

/** What a contact's own partition holds, read whole (the export and the erase start here). */
export interface PersonRecords {
  contactId: string;
  contact?: Contact;
  /** Oldest first. */
  events: TimelineEvent[];
  enrollments: Enrollment[];
  sends: SendRecord[];
  memberships: Membership[];
  /** Every item of the partition but the profile, which is removed last. */
  items: ItemRef[];
  profile?: ItemRef;
}

/** Everything held about a person, as `GET /api/contacts/{contactId}/export` answers it. */
export interface ContactExport {
  exportedAt: string;
  /** The profile, with where and when each value came from (`provenance`). */
  contact: Contact;
  /** Every identifier that resolves to the contact. */
  identities: { kind: string; value: string }[];
  /** Oldest first. */
  timeline: TimelineEvent[];
  /** Each with the path its execution took, when the execution is still known. */
  enrollments: (Enrollment & { path?: ExecutionPath })[];
  /** Every email sent or being sent (journey sends), with its SES message id. */
  messages: SendRecord[];
  consents: {
    unsubscribedAt?: string;
    topics: { topicId: string; name: string; subscribed: boolean; choice?: Subscription }[];
  };
  segments: Membership[];
  scores: ContactScores;
  /** Anonymous contacts merged into this one (their events are in the timeline). */
  merged: string[];
}
