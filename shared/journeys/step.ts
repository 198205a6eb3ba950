import { assertUnreachable } from '#core/assert.ts';
import type { Enrollment } from '#core/contact.ts';
import {
  contactValue,
  type EvaluationContext,
  evaluateConditions,
  exitConditionHolding,
  pickRandomBranch,
  unionNeeds,
} from '#workflows/conditions.ts';
import type { JourneyNode, NodeOf } from '#workflows/journey.schema.ts';
import { DECISION_TYPES, type DecisionType } from '#workflows/journey-nodes.ts';
import { waitUntilTarget } from '#workflows/schedule.ts';
import { createVersionCache, EnrollmentExitedError, finishEnrollment, type VersionCache } from './context.ts';
import { recordConversion } from './conversion.ts';
import { countVisit, factsOnce, guard, stepNeeds } from './guard.ts';
import type { StepDeps, StepRequest, StepResult } from './step.types.ts';
import { notifyOwner } from './step-notify-owner.ts';
import { updateContact } from './step-update-contact.ts';
import { registerWait } from './step-wait-for-event.ts';
import { recordVisits } from './visits.ts';

/**
 * The journey-step function: every node that needs more than a Wait or a Choice runs here
 * (branches, splits, wait-until, wait-for-event, contact updates, webhooks, owner
 * notifications, goals). Each call first checks the enrollment is still active and no exit
 * rule holds; otherwise it ends it and throws EnrollmentExited, which the ASL catches.
 */

/** A decision records its own visit with the successor it picks (a Wait after it included). */
const DECIDES: ReadonlySet<string> = new Set(DECISION_TYPES);

/** Nodes that read the contact's facts. */
const READS_FACTS = new Set(['branch', 'split', 'update-contact']);

export async function runJourneyStep(deps: StepDeps, req: StepRequest): Promise<StepResult> {
  deps.versions ??= createVersionCache(deps.store);
  const node = req.node;
  const decision = node.type === 'update-contact' ? req.decision : undefined;
  const exitWhen = (await deps.versions.get(req.journeyId, req.journeyVersion))?.document.settings.exitWhen ?? [];
  // The guard's exit rules and the node read the same facts: loaded once, only what they read,
  // and for a node that reads them, together with the guard's read of the enrollment.
  const needs = stepNeeds(exitWhen, node);
  const contextOf = factsOnce(deps, req, decision ? unionNeeds(needs, stepNeeds([], decision.node)) : needs);
  if (READS_FACTS.has(node.type) || exitWhen.length > 0) contextOf.prefetch();
  // A fused pair counts both visits at once, after its decision.
  const enrollment = await guard(deps, req, undefined, {
    facts: contextOf,
    countVisit: !DECIDES.has(node.type) && !decision,
  });
  const facts = async (): Promise<EvaluationContext> => {
    const ctx = await contextOf(enrollment);
    if (!ctx) throw new EnrollmentExitedError(`contact ${req.contactId} no longer exists`);
    return ctx;
  };
  // A decision's successor may be a Wait (which runs no code): count it with this step.
  const routed = async (result: { next: string; branch: string }) => {
    await recordVisits({ aggregates: deps.aggregates, versions: deps.versions as VersionCache }, req, result.next);
    return result;
  };
  switch (node.type) {
    case 'branch':
    case 'split':
    case 'random-split':
      return routed(await decide(node, facts, req.enrollmentId, req.nodeId));
    case 'wait-until': {
      const contact = await deps.store.getContact(req.contactId);
      const now = deps.clock.now();
      const target = waitUntilTarget(node.until, now, contact?.timeZone ?? deps.settings.defaultTimeZone, (p) =>
        contact ? contactValue({ ...contact, properties: contact.properties }, p) : undefined,
      );
      return { until: (target && target.getTime() > now.getTime() ? target : now).toISOString() };
    }
    case 'wait-for-event':
      return registerWait(deps, req, node, enrollment);
    case 'update-contact': {
      if (!decision) {
        await updateContact(deps, req, node, await facts(), await contextOf.contact());
        return { done: true };
      }
      let ctx: EvaluationContext;
      let updated: Awaited<ReturnType<typeof updateContact>>;
      try {
        ctx = await facts();
        updated = await updateContact(deps, req, node, ctx, await contextOf.contact());
      } catch (error) {
        // The report shows where a failed enrollment stopped, as for any other step.
        await countVisit(deps, req);
        throw error;
      }
      return decideAfterUpdate(
        deps,
        req,
        decision,
        enrollment,
        { ...ctx, contact: { ...ctx.contact, ...updated } },
        exitWhen,
      );
    }
    case 'webhook': {
      if (!deps.outbound) throw new Error('outbound webhooks are not configured');
      const contact = await deps.store.getContact(req.contactId);
      await deps.outbound.enqueue({
        endpointId: node.endpoint,
        key: `journey:${req.enrollmentId}:${req.nodeId}`,
        type: 'journey.step',
        data: {
          journeyId: req.journeyId,
          journeyVersion: req.journeyVersion,
          enrollmentId: req.enrollmentId,
          nodeId: req.nodeId,
          contact: contact
            ? {
                contactId: contact.contactId,
                email: contact.email,
                firstName: contact.firstName,
                lastName: contact.lastName,
                properties: contact.properties,
                tags: contact.tags ?? [],
              }
            : { contactId: req.contactId },
          trigger: req.trigger,
        },
      });
      return { done: true };
    }
    case 'notify-owner':
      await notifyOwner(deps, req, node);
      return { done: true };
    case 'goal':
      await recordConversion(deps, enrollment, {
        goal: node.name,
        at: deps.clock.now().toISOString(),
        nodeId: req.nodeId,
      });
      if (!node.next) await finishEnrollment(deps, enrollment, 'completed', { reason: 'goal', nodeId: req.nodeId });
      return { done: true };
    case 'wait':
    case 'send-email':
    case 'exit':
      throw new Error(`"${node.type}" is not a journey-step action`);
    default:
      return assertUnreachable(node);
  }
}

type Decision = NodeOf<DecisionType>;

/** The successor a decision picks, and the name of the branch taken. */
async function decide(
  decision: Decision,
  facts: () => Promise<EvaluationContext>,
  enrollmentId: string,
  nodeId: string,
): Promise<{ next: string; branch: string }> {
  switch (decision.type) {
    case 'branch': {
      const holds = evaluateConditions(decision.conditions, decision.match, await facts());
      return { next: holds ? decision.onTrue : decision.onFalse, branch: holds ? 'yes' : 'no' };
    }
    case 'split': {
      const ctx = await facts();
      const taken = decision.branches.find((b) => evaluateConditions(b.conditions, b.match, ctx));
      return taken ? { next: taken.next, branch: taken.name } : { next: decision.else, branch: 'else' };
    }
    case 'random-split': {
      const taken = pickRandomBranch(decision.branches, enrollmentId, nodeId);
      return { next: taken.next, branch: taken.name };
    }
    default:
      return assertUnreachable(decision);
  }
}

/**
 * The decision of a fused pair, on the contact as the update left it (its properties and tags;
 * scores and segment memberships are those read before the update, as refresh-contact refreshes
 * them after it either way). Between the two nodes the exit rules are checked again on that
 * contact (as the decision's own step would have): one that now holds ends the enrollment at the
 * decision.
 */
async function decideAfterUpdate(
  deps: StepDeps,
  req: StepRequest,
  decision: { nodeId: string; node: JourneyNode },
  enrollment: Enrollment,
  ctx: EvaluationContext,
  exitWhen: Parameters<typeof exitConditionHolding>[0],
): Promise<StepResult> {
  const visits = { aggregates: deps.aggregates, versions: deps.versions as VersionCache };
  if (exitWhen.length > 0 && exitConditionHolding(exitWhen, ctx) !== undefined) {
    await countVisit(deps, req);
    await finishEnrollment(deps, enrollment, 'exited', { reason: 'exit-rule', nodeId: decision.nodeId });
    throw new EnrollmentExitedError(`an exit rule of ${req.journeyId} holds for ${req.contactId}`);
  }
  // The step request's schema admits only decisions here.
  const result = await decide(decision.node as Decision, async () => ctx, req.enrollmentId, decision.nodeId);
  await recordVisits(visits, req, result.next, decision.nodeId);
  return result;
}
