import type { ContactStore } from '#contacts/store.ts';
import type { Clock } from '#core/clock.ts';
import type { Enrollment, EnrollmentTrigger, TimelineEvent } from '#core/contact.ts';
import { deterministicId } from '#core/ids.ts';
import type { AggregateStore } from '#reports/store.ts';
import type { EnrollmentInput } from '#workflows/compile.ts';
import { bucketOf } from '#workflows/conditions.ts';
import { durationSeconds } from '#workflows/journey-nodes.ts';
import { type VersionCache, versionsOf } from './context.ts';
import type { JourneySummary } from './model.ts';
import type { EnrollmentStore, JourneyRuntime, JourneyStore } from './store.ts';
import { recordVisits } from './visits.ts';

/** What entering a contact in a journey needs. */
export interface EntryDeps {
  store: Pick<ContactStore, 'appendEvent'> &
    Pick<EnrollmentStore, 'enroll' | 'setExecutionArn'> &
    Pick<JourneyStore, 'getVersion'>;
  runtime: JourneyRuntime;
  clock: Clock;
  versions?: VersionCache;
  /** Where node visits are counted for the journey report. */
  aggregates?: AggregateStore;
}

export type EnrollResult =
  | { outcome: 'enrolled'; enrollmentId: string; holdout: boolean; replay: boolean }
  | { outcome: 'refused'; reason: string };

/** Journeys taking new contacts: live, with a live version. */
export async function liveJourneys(
  store: Pick<JourneyStore, 'listJourneys'>,
): Promise<(JourneySummary & { live: NonNullable<JourneySummary['live']> })[]> {
  return (await store.listJourneys()).filter(
    (j): j is JourneySummary & { live: NonNullable<JourneySummary['live']> } =>
      j.status === 'live' && j.live !== undefined,
  );
}

/**
 * Enrolls a contact in a live journey once per trigger firing, by its entry rules: at most one
 * active enrollment per contact and journey, re-entry never / after a cool-off / always, max
 * entries, and the holdout share kept out as a control group.
 */
export async function enrollContact(
  deps: EntryDeps,
  journey: JourneySummary & { live: NonNullable<JourneySummary['live']> },
  contactId: string,
  trigger: EnrollmentTrigger,
  options: { fresh?: boolean } = {},
): Promise<EnrollResult> {
  const { live } = journey;
  const enrollmentId = deterministicId('e', journey.journeyId, contactId, trigger.eventId);
  const holdout = live.settings.holdoutPercent > 0 && bucketOf(enrollmentId, 'holdout') < live.settings.holdoutPercent;
  const enteredAt = deps.clock.now().toISOString();
  const enrollment: Enrollment = {
    enrollmentId,
    contactId,
    journeyId: journey.journeyId,
    journeyVersion: live.version,
    triggerEventId: trigger.eventId,
    trigger,
    status: holdout ? 'holdout' : 'active',
    enteredAt,
    // Known before the start, so it is written with the enrollment (no update after the start).
    ...(holdout ? {} : { executionArn: deps.runtime.executionArnFor(live.versionArn, enrollmentId) }),
  };
  const reentry = live.settings.reentry;
  const entered: TimelineEvent = {
    eventId: `journey.entered:${enrollmentId}`,
    contactId,
    name: 'journey.entered',
    at: enteredAt,
    data: {
      journeyId: journey.journeyId,
      journeyVersion: live.version,
      enrollmentId,
      trigger: trigger.type,
      ...(trigger.name ? { triggerEvent: trigger.name } : {}),
      ...(enrollment.status === 'holdout' ? { holdout: true } : {}),
    },
  };
  const outcome = await deps.store.enroll(enrollment, {
    reentry,
    maxEntries: live.settings.maxEntries,
    coolOffMs: reentry.mode === 'after-cool-off' ? durationSeconds(reentry.coolOff) * 1000 : undefined,
    entered,
    ...(options.fresh ? { firstEntry: true } : {}),
  });
  if (outcome.outcome === 'refused') return { outcome: 'refused', reason: outcome.reason };
  const current = outcome.outcome === 'exists' ? outcome.enrollment : enrollment;
  if (current.status === 'active') {
    // A replay after a crash finishes the start on the version the contact entered, never a
    // newer one; starting an execution that runs already is a no-op (it is named by the enrollment).
    const versionArn =
      current.journeyVersion === live.version
        ? live.versionArn
        : (await versionsOf(deps).get(journey.journeyId, current.journeyVersion))?.versionArn;
    if (!versionArn) throw new Error(`journey ${journey.journeyId} has no version ${current.journeyVersion}`);
    const input: EnrollmentInput = {
      contactId,
      enrollmentId,
      journeyId: journey.journeyId,
      journeyVersion: current.journeyVersion,
      enteredAt: current.enteredAt,
      trigger: current.trigger ?? trigger,
    };
    const { executionArn } = await deps.runtime.start({
      stateMachineArn: versionArn,
      enrollmentId,
      input: { ...input },
    });
    // Recorded with the enrollment already (enrollments written before that was done lack it).
    if (executionArn !== current.executionArn) await deps.store.setExecutionArn(contactId, enrollmentId, executionArn);
    // A journey that starts with a Wait runs no code there: count it (and the Waits after it) now.
    const document = (await versionsOf(deps).get(journey.journeyId, current.journeyVersion))?.document;
    const first = document?.nodes[document.start];
    if (document && first?.type === 'wait') {
      await recordVisits(
        { aggregates: deps.aggregates, versions: versionsOf(deps) },
        { enrollmentId, journeyId: journey.journeyId, journeyVersion: current.journeyVersion, nodeId: document.start },
        first.next,
      );
    }
  }
  // A new enrollment wrote its `journey.entered` in the same transaction; a replay makes sure of it.
  if (outcome.outcome === 'exists') {
    await deps.store.appendEvent({
      ...entered,
      at: current.enteredAt,
      data: {
        ...entered.data,
        journeyVersion: current.journeyVersion,
        ...(current.status === 'holdout' ? { holdout: true } : {}),
      },
    });
  }
  return {
    outcome: 'enrolled',
    enrollmentId,
    holdout: current.status === 'holdout',
    replay: outcome.outcome === 'exists',
  };
}
