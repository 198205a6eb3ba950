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
