import type { Contact, Enrollment, EnrollmentStatus, TimelineEvent } from '#core/contact.ts';
import type { JourneySettings } from '#workflows/journey.schema.ts';
import type {
  DueItem,
  EnrollmentCheck,
  EventWaiter,
  JourneyDraft,
  JourneyStatus,
  JourneySummary,
  JourneyVersion,
  OwnerTask,
  ScanJob,
} from './model.ts';

// ---------------------------------------------------------------------------------------------
// The runtime that executes journeys: Step Functions on AWS and locally, a virtual one in the
// simulator.

export interface StartEnrollment {
  /** The published version's ARN: the enrollment runs that version to the end. */
  stateMachineArn: string;
  /** Execution name: starting twice with the same name and input starts one execution. */
  enrollmentId: string;
  input: Record<string, unknown>;
}

export interface PublishedMachine {
  stateMachineArn: string;
  /** The new version (`<stateMachineArn>:<n>`). */
  versionArn: string;
  /** The `live` alias, now pointing at the new version. */
  aliasArn: string;
}

export interface JourneyRuntime {
  /**
   * The ARN an enrollment's execution has (or will have) when started on this state machine
   * version: it is named by the enrollment, so it is known before the start.
   */
  executionArnFor(stateMachineArn: string, enrollmentId: string): string;
  start(request: StartEnrollment): Promise<{ executionArn: string }>;
  /** Ends a running execution (exit rule, goal, operator); a finished one is left as it is. */
  stop(executionArn: string, reason: string): Promise<void>;
  /** Completes a wait-for-event task; `gone` when the task already ended (timed out, stopped). */
  resume(taskToken: string, output: unknown): Promise<'resumed' | 'gone'>;
  /** Creates or updates the journey's state machine, publishes a version and moves `live` to it. */
  publish(journeyId: string, definition: string, description: string): Promise<PublishedMachine>;
}

/** One execution's path, for the contact page: the states it entered, in order. */
export interface ExecutionPath {
  executionArn: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';
  startedAt: string;
  stoppedAt?: string;
  steps: { state: string; enteredAt: string }[];
  /** The execution in the Step Functions console (AWS only). */
  consoleUrl?: string;
}

/** How an execution stands, for the repair sweep; undefined when it does not exist. */
export interface ExecutionInspector {
  executionStatus(executionArn: string): Promise<ExecutionPath['status'] | undefined>;
}

/** Reads executions' history (read-only; the dashboard's grant). */
export interface ExecutionReader {
  /** Undefined when the execution does not exist. */
  path(executionArn: string): Promise<ExecutionPath | undefined>;
}

export interface JourneyStore {
  getJourney(journeyId: string): Promise<JourneySummary | undefined>;
  listJourneys(): Promise<JourneySummary[]>;
  getDraft(journeyId: string): Promise<JourneyDraft | undefined>;
  /**
   * Saves a draft if the stored revision is still `draft.revision - 1`, creating the summary
   * (status draft) when the journey is new.
   */
  saveDraft(draft: JourneyDraft, name: string): Promise<'saved' | 'conflict'>;
  /** Stores version `version.version` (must be latestVersion + 1) and updates the summary, atomically. */
  publishVersion(version: JourneyVersion, summary: JourneySummary): Promise<'published' | 'conflict'>;
  getVersion(journeyId: string, version: number): Promise<JourneyVersion | undefined>;
  listVersions(journeyId: string): Promise<JourneyVersion[]>;
  /** Moves a journey between live, paused and archived; false when it does not exist. */
  setJourneyStatus(journeyId: string, status: JourneyStatus, at: string, by: string): Promise<boolean>;
}

// ---------------------------------------------------------------------------------------------
// Enrollments with their entry rules.

export interface EntryRules {
  reentry: JourneySettings['reentry'];
  maxEntries?: number;
  /** Milliseconds of the cool-off, for `after-cool-off`. */
  coolOffMs?: number;
  /** The `journey.entered` timeline event, written with a new enrollment (not on a replay). */
  entered?: TimelineEvent;
  /**
   * The contact was created a moment ago: it has surely never entered, so the adapter may write
   * without reading its journey state first (the write stays conditional, so nothing is assumed).
   */
  firstEntry?: boolean;
}

export type EnrollOutcome =
  | { outcome: 'created' }
  /** The same trigger enrolled the contact before (a replay): nothing new. */
  | { outcome: 'exists'; enrollment: Enrollment }
  | { outcome: 'refused'; reason: 'active' | 'entered-before' | 'cooling-off' | 'max-entries' };

export interface EndDetail {
  reason?: string;
  nodeId?: string;
}

export interface EnrollmentStore {
  /**
   * Creates the enrollment if the entry rules allow it, atomically with the per-contact journey
   * state (at most one active enrollment per contact and journey, entries counted).
   */
  enroll(enrollment: Enrollment, rules: EntryRules): Promise<EnrollOutcome>;
  getEnrollment(contactId: string, enrollmentId: string): Promise<Enrollment | undefined>;
  setExecutionArn(contactId: string, enrollmentId: string, executionArn: string): Promise<void>;
  /** Moves an active enrollment to its end state and frees the slot; false when it had ended. */
  endEnrollment(
    contactId: string,
    enrollmentId: string,
    status: Exclude<EnrollmentStatus, 'active' | 'holdout'>,
    at: string,
    detail?: EndDetail,
  ): Promise<boolean>;
  /**
   * Records the first conversion of an enrollment; false when it had one. With `converted`, that
   * timeline event (`journey.converted`) is written with it, atomically.
   */
  markConverted(
    contactId: string,
    enrollmentId: string,
    conversion: NonNullable<Enrollment['conversion']>,
    converted?: TimelineEvent,
  ): Promise<boolean>;
  listEnrollments(contactId: string): Promise<Enrollment[]>;
  /**
   * Checks of active enrollments (see EnrollmentCheck), oldest first, whose `at` is at or before
   * `before`. `enroll` queues the first check of an active enrollment with the enrollment itself.
   */
  listEnrollmentChecks(before: string, limit: number): Promise<EnrollmentCheck[]>;
  /** Queues a check; the same (at, contact, enrollment) twice is one check. */
  putEnrollmentCheck(check: EnrollmentCheck): Promise<void>;
  deleteEnrollmentCheck(check: EnrollmentCheck): Promise<void>;
  /** Queues `next` and removes `done`, in one request. */
  moveEnrollmentCheck(done: EnrollmentCheck, next: EnrollmentCheck): Promise<void>;
}

/** The check an active enrollment is queued with when it is created. */
export const firstCheckOf = (e: Pick<Enrollment, 'enteredAt' | 'contactId' | 'enrollmentId' | 'journeyId'>) => ({
  at: e.enteredAt,
  contactId: e.contactId,
  enrollmentId: e.enrollmentId,
  journeyId: e.journeyId,
  checks: 0,
});

export interface WaiterStore {
  /** Registers (or replaces) the waiter of one enrollment and node. */
  putWaiter(waiter: EventWaiter): Promise<void>;
  listWaiters(contactId: string, event: string): Promise<EventWaiter[]>;
  /**
   * The contact's enrollments and its waiters for `event`, in one request: what routing an event
   * needs (goals, exit rules, waits). Waiters are kept with their enrollment.
   */
  listEnrollmentsAndWaiters(
    contactId: string,
    event: string,
  ): Promise<{ enrollments: Enrollment[]; waiters: EventWaiter[] }>;
  /** Removes the waiter if it still holds `token`. */
  deleteWaiter(
    waiter: Pick<EventWaiter, 'contactId' | 'event' | 'enrollmentId' | 'nodeId' | 'token' | 'legacyKey'>,
  ): Promise<void>;
}

export interface TaskStore {
  putTask(task: OwnerTask): Promise<'created' | 'exists'>;
  listTasks(status?: OwnerTask['status']): Promise<OwnerTask[]>;
  completeTask(taskId: string, at: string): Promise<boolean>;
}

export interface DueStore {
  /** Queues the item; the same (journey, contact, trigger, dueAt) twice is one item. */
  /** Queues one item, or several in one request. */
  putDue(items: DueItem | readonly DueItem[]): Promise<void>;
  /** Items due at or before `now`, oldest first. */
  listDue(now: string, limit: number): Promise<DueItem[]>;
  deleteDue(item: DueItem): Promise<void>;
  /** The earliest queued time, if any (the simulator's clock jumps to it). */
  nextDueAt(): Promise<string | undefined>;
  /** Per journey: when each schedule trigger runs next (by trigger index). */
  getScheduleState(journeyId: string): Promise<Record<string, string>>;
  setScheduleState(journeyId: string, nextRuns: Record<string, string>): Promise<void>;
  getScanJob(jobId: string): Promise<ScanJob | undefined>;
  putScanJob(job: ScanJob): Promise<void>;
  listOpenScanJobs(): Promise<ScanJob[]>;
  /** A page of contacts (merged contacts skipped) and the cursor for the next page. */
  scanContacts(cursor: string | undefined, limit: number): Promise<{ contacts: Contact[]; cursor?: string }>;
  /**
   * Keeps the latest time an event of each name happened to the contact (a time never moves
   * back); usually one write.
   */
  touchLastEvents(contactId: string, latest: Readonly<Record<string, string>>): Promise<void>;
}
