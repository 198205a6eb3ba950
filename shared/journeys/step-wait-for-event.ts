import type { Enrollment } from '#core/contact.ts';
import { matchesFilters, readPath } from '#workflows/conditions.ts';
import type { NodeOf } from '#workflows/journey.schema.ts';
import { durationSeconds } from '#workflows/journey-nodes.ts';
import { atOrAfter, EnrollmentExitedError, entryTime, finishEnrollment, type VersionCache } from './context.ts';
import { convertOn, goalConverts } from './conversion.ts';
import type { StepDeps, StepRequest, StepResult } from './step.types.ts';

/** How long a wait-for-event registration outlives its timeout before TTL removes it. */
const WAITER_GRACE_SECONDS = 86_400;

/**
 * Registers the execution's task token under (contact, event), then looks at the timeline: an
 * event that arrived since the wait started (or since entry) resumes it at once. Registering
 * first and looking second closes the race with ingest, which appends first and looks second.
 */
export async function registerWait(
  deps: StepDeps,
  req: StepRequest,
  node: NodeOf<'wait-for-event'>,
  enrollment: Enrollment,
): Promise<StepResult> {
  if (!req.taskToken) throw new Error('wait-for-event needs the task token');
  const now = deps.clock.now();
  const since = node.since === 'entry' ? entryTime(enrollment) : (req.waitStartedAt ?? now.toISOString());
  const trigger = enrollment.trigger ?? req.trigger;
  const correlationKey = node.correlate ? await correlationKeyOf(deps, req) : undefined;
  const waiter = {
    contactId: req.contactId,
    event: node.event,
    enrollmentId: req.enrollmentId,
    nodeId: req.nodeId,
    journeyId: req.journeyId,
    token: req.taskToken,
    where: node.where,
    ...(correlationKey ? { correlation: { key: correlationKey, value: trigger.correlation ?? null } } : {}),
    since,
    expiresAt: Math.floor(now.getTime() / 1000) + durationSeconds(node.timeout) + WAITER_GRACE_SECONDS,
  };
  await deps.store.putWaiter(waiter);
  const recent = await deps.store.listEvents(req.contactId, 200);
  const match = recent
    .filter((e) => e.name === node.event && atOrAfter(e.at, since) && e.eventId !== enrollment.triggerEventId)
    .filter((e) => matchesFilters(e.data, node.where))
    .filter((e) => {
      if (!waiter.correlation) return true;
      const value = readPath(e.data, waiter.correlation.key);
      return waiter.correlation.value !== null && value !== undefined && String(value) === waiter.correlation.value;
    })
    .sort((a, b) => a.at.localeCompare(b.at))[0];
  if (match) {
    // As routing does before it resumes a wait, the event first reaches the journey's goal: the
    // conversion carries the event (its revenue) whether routing or this step gets there first,
    // never the goal node the wait may lead to.
    const goal = (await (deps.versions as VersionCache).get(req.journeyId, req.journeyVersion))?.document.settings.goal;
    if (goal && goalConverts(goal, enrollment, match)) {
      await convertOn(deps, enrollment, goal, match);
      if (goal.exit) {
        await deps.store.deleteWaiter(waiter);
        await finishEnrollment(deps, enrollment, 'exited', { reason: 'converted', nodeId: req.nodeId });
        throw new EnrollmentExitedError(`${req.contactId} reached the goal of ${req.journeyId}`);
      }
    }
    await deps.runtime.resume(req.taskToken, {
      eventId: match.eventId,
      name: match.name,
      at: match.at,
      data: match.data,
    });
    await deps.store.deleteWaiter(waiter);
    return { waiting: true, resumedAt: now.toISOString() };
  }
  return { waiting: true };
}

/** The correlation key of the trigger that enrolled the contact (validated to exist when `correlate` is set). */
async function correlationKeyOf(deps: StepDeps, req: StepRequest): Promise<string | undefined> {
  const version = await (deps.versions as VersionCache).get(req.journeyId, req.journeyVersion);
  const trigger = version?.document.triggers.find(
    (t) => t.type === 'event' && t.event === req.trigger.name && t.correlationKey,
  );
  return trigger?.type === 'event' ? trigger.correlationKey : undefined;
}
