import type { Contact, TimelineEvent } from '#core/contact.ts';
import type { Segment } from '#workflows/segments.ts';

/** A re-evaluation of one segment after its rule changed: a resumable scan of only the contacts it can move. */
export interface Reevaluation {
  /** The rule revision being applied. */
  revision: number;
  /** Current members only (a narrowed rule), or every contact. */
  scope: 'members' | 'contacts';
  status: 'running' | 'done';
  cursor?: string;
  scanned: number;
  entered: number;
  exited: number;
  startedAt: string;
  finishedAt?: string;
}

/** A stored segment: its rule, who changed it last, its member count and any re-evaluation. */
export interface StoredSegment extends Segment {
  revision: number;
  createdAt: string;
  updatedAt: string;
  updatedBy: string;
  /** Kept with atomic adds as contacts enter and leave. */
  members: number;
  reevaluation?: Reevaluation;
}

export interface Membership {
  segmentId: string;
  contactId: string;
  enteredAt: string;
  /** The rule revision that admitted the contact. */
  revision: number;
  /** The contact's email when it entered, so member lists need no read per contact. */
  email?: string;
}

export interface SegmentStore {
  listSegments(): Promise<StoredSegment[]>;
  getSegment(segmentId: string): Promise<StoredSegment | undefined>;
  /**
   * Writes the rule (and the re-evaluation it needs) if the stored revision is still
   * `expectedRevision` (undefined: the segment must not exist yet). The member count is kept.
   */
  saveSegment(
    segment: Omit<StoredSegment, 'members'>,
    expectedRevision: number | undefined,
  ): Promise<'saved' | 'conflict'>;
  /** Records a re-evaluation's progress, unless a newer revision has replaced it. */
  updateReevaluation(segmentId: string, progress: Reevaluation): Promise<boolean>;
  /** The segments a contact is in. */
  /** The contact and its memberships together (one read where the store allows it). */
  getContactWithMemberships(contactId: string): Promise<{ contact?: Contact; memberships: Membership[] }>;
  listMemberships(contactId: string): Promise<Membership[]>;
  /** A page of a segment's members, in contact id order. */
  listMembers(
    segmentId: string,
    cursor: string | undefined,
    limit: number,
  ): Promise<{ members: Membership[]; cursor?: string }>;
  /**
   * Adds the membership, its timeline event and one to the count, all or nothing; false when
   * the contact is already a member.
   */
  enterSegment(membership: Membership, event: TimelineEvent): Promise<boolean>;
  /** Removes the membership, records its timeline event and takes one off the count; false when not a member. */
  leaveSegment(membership: Membership, event: TimelineEvent): Promise<boolean>;
}
