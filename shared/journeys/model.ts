import type { Filter } from '#workflows/condition.schema.ts';
import type { Journey, JourneySettings } from '#workflows/journey.schema.ts';
import type { Trigger } from '#workflows/trigger.schema.ts';

/** Journeys, enrollments' checks, waits, tasks and due items as stored (the ports are in ./store.ts). */

// ---------------------------------------------------------------------------------------------
// Journeys as stored: drafts, published versions and the summary routing reads.

export type JourneyStatus = 'draft' | 'live' | 'paused' | 'archived';

/** What routing needs of the live version, kept on the summary so routing reads one item. */
export interface LiveVersion {
  version: number;
  versionArn: string;
  triggers: Trigger[];
  settings: Pick<JourneySettings, 'reentry' | 'maxEntries' | 'holdoutPercent' | 'timeZone'>;
}

export interface JourneySummary {
  journeyId: string;
  name: string;
  status: JourneyStatus;
  /** Revision of the saved draft (0: none saved, the built-in document is the draft). */
  draftRevision: number;
  /** Newest published version (0: never published). */
  latestVersion: number;
  /** The version new contacts enter while live or paused. */
  live?: LiveVersion;
  stateMachineArn?: string;
  aliasArn?: string;
  updatedAt: string;
  updatedBy: string;
}

export interface JourneyDraft {
  journeyId: string;
  revision: number;
  /** The document as saved (schema-valid; may still have violations to fix before publishing). */
  document: Journey;
  savedAt: string;
  savedBy: string;
}

export interface JourneyVersion {
  journeyId: string;
  version: number;
  document: Journey;
  /** The compiled ASL exactly as published. */
  definition: string;
  versionArn: string;
  stateMachineArn: string;
  publishedAt: string;
  publishedBy: string;
  /** What changed since the previous version, one readable line per change. */
  diff: string[];
  transitions: { min: number; max: number };
}

/**
 * A look the repair sweep takes at one active enrollment's execution, once `at` plus the sweep's
 * grace period has passed: at first `at` is the entry time; a check that finds the execution
 * running queues the next one further out.
 */
export interface EnrollmentCheck {
  at: string;
  contactId: string;
  enrollmentId: string;
  journeyId: string;
  /** Checks already made that found the execution running. */
  checks: number;
}

// ---------------------------------------------------------------------------------------------
// Wait-for-event registrations, owner tasks and the time-trigger queue.

/** A journey execution waiting for an event of a contact (wait-for-event node). */
export interface EventWaiter {
  contactId: string;
  event: string;
  enrollmentId: string;
  nodeId: string;
  journeyId: string;
  token: string;
  where: Filter[];
  /** The value the event's `correlationKey` must have, when the node correlates. */
  correlation?: { key: string; value: string | null };
  /** Only events at or after this time count. */
  since: string;
  /** Epoch seconds after which the registration is stale (TTL). */
  expiresAt: number;
  /** Registered before waiters were kept with their enrollment (stored under the earlier key). */
  legacyKey?: true;
}

/** A to-do for the shop's owner, created by a notify-owner node. */
export interface OwnerTask {
  /** Deterministic from the enrollment and node, so a retried step creates one task. */
  taskId: string;
  contactId: string;
  journeyId: string;
  enrollmentId: string;
  nodeId: string;
  subject: string;
  message: string;
  createdAt: string;
  status: 'open' | 'done';
  doneAt?: string;
}

/**
 * Something to check at `dueAt`: a time trigger (inactivity deadline, date occurrence), or the
 * moment an event leaves a segment rule's time window (`segments`: re-evaluate the contact), or
 * the moment time alone moves a score (`scores`: recency and churn risk as days pass).
 */
export interface DueItem {
  dueAt: string;
  kind: 'inactivity' | 'date' | 'segments' | 'scores';
  /** The journey whose trigger armed it; empty for `segments` and `scores`. */
  journeyId: string;
  contactId: string;
  /** Index of the trigger in the live version's `triggers` (0 for the others). */
  trigger: number;
  /** Inactivity: the last event time it counts from. Date: the occurrence's date value. */
  basis: string;
}

/** Progress of a contact scan (schedule runs, backfills), resumable across invocations. */
export interface ScanJob {
  jobId: string;
  journeyId: string;
  version: number;
  kind: 'schedule' | 'backfill';
  /** Schedule: the run's time and which trigger it is (index in the live version's triggers). */
  occurrence?: string;
  trigger?: number;
  cursor?: string;
  done: boolean;
  startedAt: string;
  enrolled: number;
}
