import type { ContactStore } from '#contacts/store.ts';
import type { Clock } from '#core/clock.ts';
import type { Contact, Enrollment, EnrollmentTrigger } from '#core/contact.ts';
import type { AggregateStore } from '#reports/store.ts';
import type { SegmentStore } from '#segments/store.ts';
import type { Condition } from '#workflows/condition.schema.ts';
import {
  changeNeeds,
  conditionNeeds,
  type EvaluationContext,
  exitConditionHolding,
  type FactNeeds,
  type TriggerFact,
  unionNeeds,
} from '#workflows/conditions.ts';
import type { JourneyNode } from '#workflows/journey.schema.ts';
import {
  createVersionCache,
  EnrollmentExitedError,
  entryTime,
  finishEnrollment,
  loadFacts,
  triggerFact,
  type VersionCache,
} from './context.ts';
import type { EnrollmentStore, JourneyStore } from './store.ts';
import { recordVisits, staticNext } from './visits.ts';

/**
 * The check every journey task makes first (the journey-step and send-email functions): the
 * enrollment must still be active and no exit rule may hold. Apart from step.ts so the
 * send path loads only this, not the step's routing, scheduling and segment code.
 */

export interface GuardDeps {
  store: Pick<EnrollmentStore, 'getEnrollment' | 'endEnrollment'> &
    Pick<JourneyStore, 'getVersion'> &
    Pick<ContactStore, 'getContact' | 'listEvents' | 'getEvent' | 'appendEvent'> &
    Pick<SegmentStore, 'listMemberships'>;
  clock: Clock;
  versions?: VersionCache;
  /** Where node visits are counted for the journey report (optional: the simulator counts its own). */
  aggregates?: AggregateStore;
}

/** The enrollment and node a task is for. */
export interface GuardRequest {
  contactId: string;
  enrollmentId: string;
  journeyId: string;
  journeyVersion: number;
  nodeId: string;
  trigger: EnrollmentTrigger;
}

/**
 * The contact's facts for conditions, for one step: loaded on first ask (or when prefetched),
 * then shared. Only what the step's conditions and changes read is loaded.
 */
export interface StepFacts {
  (enrollment: Enrollment): Promise<EvaluationContext | undefined>;
  /** Starts loading now, so the reads go out with the enrollment's (one BatchGetItem). */
  prefetch(): void;
  /** The contact as loaded with the facts (with its version), once they are loaded. */
  contact(): Promise<Contact | undefined>;
}

/** The contact's facts as conditions read them, loaded once per step however often asked. */
export function factsOnce(
  deps: Pick<GuardDeps, 'store' | 'clock'>,
  req: Pick<GuardRequest, 'contactId' | 'trigger'>,
  needs: FactNeeds = { events: true, segments: true, trigger: true },
): StepFacts {
  let loading: Promise<[Awaited<ReturnType<typeof loadFacts>>, TriggerFact | undefined]> | undefined;
  // Begun together, the contact and the trigger's event are read in one request. The trigger
  // is the execution's input, the enrollment's own (a replayed one is read again below).
  const load = () => {
    loading ??= Promise.all([
      loadFacts(deps.store, req.contactId, deps.clock.now(), needs),
      needs.trigger ? triggerFact(deps.store, req.contactId, req.trigger) : undefined,
    ]);
    return loading;
  };
  const facts = (async (enrollment: Enrollment) => {
    const [loaded, prefetched] = await load();
    const wanted = enrollment.trigger ?? req.trigger;
    const trigger =
      needs.trigger && wanted.eventId !== req.trigger.eventId
        ? await triggerFact(deps.store, req.contactId, wanted)
        : prefetched;
    return (
      loaded && {
        ...loaded.ctx,
        enteredAt: entryTime(enrollment),
        triggerEventId: enrollment.triggerEventId,
        trigger,
      }
    );
  }) as StepFacts;
  facts.prefetch = () => void load().catch(() => undefined);
  facts.contact = async () => (await load())[0]?.contact;
  return facts;
}

/** What a step's exit rules read, and what its node reads (decisions, contact updates). */
export function stepNeeds(exitWhen: readonly Condition[], node?: JourneyNode): FactNeeds {
  const exits = conditionNeeds(exitWhen);
  switch (node?.type) {
    case 'branch':
      return unionNeeds(exits, conditionNeeds(node.conditions));
    case 'split':
      return unionNeeds(exits, conditionNeeds(node.branches.flatMap((b) => b.conditions)));
    case 'update-contact':
      return unionNeeds(exits, changeNeeds(node.changes));
    default:
      return exits;
  }
}

/**
 * Every step starts here: the enrollment must still be active, and no exit rule may hold. An
 * exit rule that holds ends the enrollment now (whatever node the contact is at).
 */
export async function guard(
  deps: GuardDeps,
  req: GuardRequest,
  /** The enrollment when the caller has read it already (null: it is missing). */
  read?: Enrollment | null,
  options: {
    /** Where the step loads the contact's facts (so it loads them once for the guard and itself). */
    facts?: StepFacts;
    /** False when the step counts its own visit (a decision, with its successor). */
    countVisit?: boolean;
  } = {},
): Promise<Enrollment> {
  deps.versions ??= createVersionCache(deps.store);
  const versions = deps.versions;
  const enrollment = read === undefined ? await deps.store.getEnrollment(req.contactId, req.enrollmentId) : read;
  if (enrollment?.status !== 'active') {
    throw new EnrollmentExitedError(`enrollment ${req.enrollmentId} is ${enrollment?.status ?? 'missing'}`);
  }
  const version = await versions.get(req.journeyId, req.journeyVersion);
  const exitWhen = version?.document.settings.exitWhen ?? [];
  if (exitWhen.length > 0) {
    const ctx = await (options.facts ?? factsOnce(deps, req, stepNeeds(exitWhen)))(enrollment);
    if (!ctx || exitConditionHolding(exitWhen, ctx) !== undefined) {
      await finishEnrollment(deps, enrollment, 'exited', { reason: 'exit-rule', nodeId: req.nodeId });
      throw new EnrollmentExitedError(`an exit rule of ${req.journeyId} holds for ${req.contactId}`);
    }
  }
  if (options.countVisit !== false) await countVisit({ ...deps, versions }, req);
  return enrollment;
}

/** Counts a step's visit, and the Waits after it, for the journey report (once per enrollment and node). */
export async function countVisit(
  deps: Pick<GuardDeps, 'store' | 'aggregates' | 'versions'>,
  req: Pick<GuardRequest, 'enrollmentId' | 'journeyId' | 'journeyVersion' | 'nodeId'>,
): Promise<void> {
  if (!deps.aggregates) return;
  const versions = deps.versions ?? createVersionCache(deps.store);
  const version = await versions.get(req.journeyId, req.journeyVersion);
  await recordVisits({ aggregates: deps.aggregates, versions }, req, staticNext(version?.document.nodes[req.nodeId]));
}
