import type { Contact, TimelineEvent } from '#core/contact.ts';
import type { Membership, Reevaluation, StoredSegment } from './model.ts';

/** The port through which segments and memberships are kept (records in ./model.ts). */

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
