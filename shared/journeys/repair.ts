import type { ContactStore } from '#contacts/store.ts';
import type { Clock } from '#core/clock.ts';
import type { Enrollment } from '#core/contact.ts';
import type { EnrollmentInput } from '#workflows/compile.ts';
import { createVersionCache, finishEnrollment, type VersionCache } from './context.ts';
import type { EnrollmentCheck } from './model.ts';
import type { EnrollmentStore, ExecutionInspector, ExecutionPath, JourneyRuntime, JourneyStore } from './store.ts';

/**
 * The repair sweep: nothing stays stranded. An active enrollment must have a running execution;
 * when it has none (never started: a crash between the enrollment and StartExecution), when its
 * execution is gone (lost by the runtime), or when its execution ended without closing it (failed,
 * timed out or stopped outside its Catch, or succeeded past its end step), the sweep starts,
 * restarts or closes it, and says so on the contact's timeline with `journey.repaired`.
 *
 * It reads no contact it has no reason to: each active enrollment is queued for a check with
 * its creation (EnrollmentStore.enroll), looked at once the grace period has passed, and, while
 * its execution runs, looked at again when its age has roughly quadrupled (a few looks over a
 * journey's life, not one a minute). A check of an enrollment that ended is simply dropped.
 */

export interface RepairDeps {
  store: Pick<
    EnrollmentStore,
    | 'getEnrollment'
    | 'setExecutionArn'
    | 'endEnrollment'
    | 'listEnrollmentChecks'
    | 'putEnrollmentCheck'
    | 'deleteEnrollmentCheck'
    | 'moveEnrollmentCheck'
  > &
    Pick<JourneyStore, 'getVersion'> &
    Pick<ContactStore, 'appendEvent'>;
  runtime: Pick<JourneyRuntime, 'start'> & ExecutionInspector;
  clock: Clock;
  versions?: VersionCache;
}

export interface RepairOptions {
  /** How long an enrollment may go without a running execution before it counts as stranded. */
  graceMs: number;
  /** Checks looked at per run; the rest wait for the next. */
  limit?: number;
}

export type RepairAction = 'started' | 'restarted' | 'closed';

export interface RepairReport {
  checked: number;
  /** Enrollments repaired, by what was done. */
  started: number;
  restarted: number;
  closed: number;
  /** Checks that threw; they stay queued and are retried on the next run. */
  failed: number;
}

/** Looks at the enrollments whose check is due and repairs the stranded ones. */
export async function repairEnrollments(deps: RepairDeps, options: RepairOptions): Promise<RepairReport> {
  const report: RepairReport = { checked: 0, started: 0, restarted: 0, closed: 0, failed: 0 };
  const now = deps.clock.now().getTime();
  const due = await deps.store.listEnrollmentChecks(
    new Date(now - options.graceMs).toISOString(),
    options.limit ?? 200,
  );
  for (const check of due) {
    report.checked += 1;
    try {
      const action = await checkEnrollment(deps, check, now);
      if (action) report[action] += 1;
    } catch {
      report.failed += 1;
    }
  }
  return report;
}

async function checkEnrollment(
  deps: RepairDeps,
  check: EnrollmentCheck,
  now: number,
): Promise<RepairAction | undefined> {
  const enrollment = await deps.store.getEnrollment(check.contactId, check.enrollmentId);
  if (enrollment?.status !== 'active') {
    await deps.store.deleteEnrollmentCheck(check);
    return undefined;
  }
  let action: RepairAction | undefined;
  let reason = '';
  let executionArn = enrollment.executionArn;
  let status = executionArn ? await deps.runtime.executionStatus(executionArn) : undefined;
  if (!executionArn || status === undefined) {
    // The execution name is the enrollment id: a start can never make a second execution, and an
    // execution that did start (before a crash kept its ARN from the enrollment) is found, not doubled.
    action = executionArn ? 'restarted' : 'started';
    reason = executionArn
      ? 'its execution no longer exists; started again from the beginning'
      : 'its execution was never started';
    executionArn = await start(deps, enrollment);
    if (executionArn !== enrollment.executionArn) {
      await deps.store.setExecutionArn(enrollment.contactId, enrollment.enrollmentId, executionArn);
    }
    status = await deps.runtime.executionStatus(executionArn);
  }
  if (status !== undefined && status !== 'RUNNING' && status !== 'PENDING_REDRIVE') {
    action = 'closed';
    reason = `its execution ended (${status}) without closing it`;
    await close(deps, enrollment, status);
  }
  if (action) await recordRepair(deps, enrollment, check, action, reason, executionArn, status);
  if (action === 'closed') {
    await deps.store.deleteEnrollmentCheck(check);
  } else {
    // Running: look again once its age has about quadrupled.
    const age = Math.max(0, now - Date.parse(enrollment.enteredAt));
    await deps.store.moveEnrollmentCheck(check, {
      ...check,
      at: new Date(now + 3 * age).toISOString(),
      checks: check.checks + 1,
    });
  }
  return action;
}

/** Starts the enrollment's execution on the version it entered, with the input routing gives it. */
async function start(deps: RepairDeps, enrollment: Enrollment): Promise<string> {
  deps.versions ??= createVersionCache(deps.store);
  const version = await deps.versions.get(enrollment.journeyId, enrollment.journeyVersion);
  if (!version) throw new Error(`journey ${enrollment.journeyId} has no version ${enrollment.journeyVersion}`);
  const input: EnrollmentInput = {
    contactId: enrollment.contactId,
    enrollmentId: enrollment.enrollmentId,
    journeyId: enrollment.journeyId,
    journeyVersion: enrollment.journeyVersion,
    enteredAt: enrollment.enteredAt,
    trigger: enrollment.trigger ?? { type: 'event', eventId: enrollment.triggerEventId, at: enrollment.enteredAt },
  };
  const { executionArn } = await deps.runtime.start({
    stateMachineArn: version.versionArn,
    enrollmentId: enrollment.enrollmentId,
    input: { ...input },
  });
  return executionArn;
}

/** Closes the enrollment the way its execution ended: a success completes it, a stop exits it, the rest fail it. */
async function close(deps: RepairDeps, enrollment: Enrollment, status: ExecutionPath['status']): Promise<void> {
  const ending =
    status === 'SUCCEEDED'
      ? ({ status: 'completed', reason: 'completed' } as const)
      : status === 'ABORTED'
        ? ({ status: 'exited', reason: 'stopped' } as const)
        : ({ status: 'failed', reason: 'failed', error: `execution ${status.toLowerCase()}` } as const);
  await finishEnrollment(deps, enrollment, ending.status, ending);
}

/** The timeline entry that makes a repair visible; its id makes a retried sweep write it once. */
async function recordRepair(
  deps: RepairDeps,
  enrollment: Enrollment,
  check: EnrollmentCheck,
  action: RepairAction,
  reason: string,
  executionArn: string,
  status: ExecutionPath['status'] | undefined,
): Promise<void> {
  await deps.store.appendEvent({
    eventId: `journey.repaired:${enrollment.enrollmentId}:${check.checks}`,
    contactId: enrollment.contactId,
    name: 'journey.repaired',
    at: deps.clock.now().toISOString(),
    data: {
      journeyId: enrollment.journeyId,
      journeyVersion: enrollment.journeyVersion,
      enrollmentId: enrollment.enrollmentId,
      action,
      reason,
      executionArn,
      ...(status ? { executionStatus: status } : {}),
    },
  });
}
