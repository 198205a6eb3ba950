import type { ContactStore } from '#contacts/store.ts';
import { assertUnreachable } from '#core/assert.ts';
import type { Clock } from '#core/clock.ts';
import type { Contact, Enrollment, EnrollmentTrigger } from '#core/contact.ts';
import { deterministicId } from '#core/ids.ts';
import type { MailSender } from '#messaging/mail.ts';
import type { AggregateStore } from '#reports/store.ts';
import type { SegmentStore } from '#segments/store.ts';
import {
  contactEdits,
  contactValue,
  type EvaluationContext,
  evaluateConditions,
  exitConditionHolding,
  matchesFilters,
  pickRandomBranch,
  readPath,
  unionNeeds,
} from '#workflows/conditions.ts';
import type { JourneyNode, NodeOf } from '#workflows/journey.schema.ts';
import { durationSeconds } from '#workflows/journey-nodes.ts';
import { waitUntilTarget } from '#workflows/schedule.ts';
import {
  atOrAfter,
  createVersionCache,
  EnrollmentExitedError,
  entryTime,
  finishEnrollment,
  type VersionCache,
} from './context.ts';
import { countVisit, factsOnce, guard, stepNeeds } from './guard.ts';
import { convertOn, goalConverts, recordConversion } from './routing.ts';
import type { EnrollmentStore, JourneyRuntime, JourneyStore, TaskStore, WaiterStore } from './store.ts';
import { recordVisits } from './visits.ts';

// The send-email function imports `guard` from here; ./journey-guard.ts alone is enough.
export { guard } from './guard.ts';

/**
 * The journey-step function: every node that needs more than a Wait or a Choice runs here
 * (branches, splits, wait-until, wait-for-event, contact updates, webhooks, owner
 * notifications, goals). Each call first checks the enrollment is still active and no exit
 * rule holds; otherwise it ends it and throws EnrollmentExited, which the ASL catches.
 */

export type StepAction = Exclude<JourneyNode['type'], 'wait' | 'send-email' | 'exit'>;

export interface StepRequest {
  action: StepAction;
  node: JourneyNode;
  contactId: string;
  enrollmentId: string;
  journeyId: string;
  journeyVersion: number;
  enteredAt: string;
  trigger: EnrollmentTrigger;
  nodeId: string;
  /** wait-for-event: the task token the execution waits on. */
  taskToken?: string;
  /** wait-for-event: when the state was entered. */
  waitStartedAt?: string;
  /**
   * update-contact: the decision that follows it in the same call (a fused pair, see
   * `fusedDecisions`): decided on the updated contact, its `{ next }` returned.
   */
  decision?: { nodeId: string; node: JourneyNode };
}

export type StepResult =
  | { next: string; branch?: string }
  | { until: string }
  | { waiting: true; resumedAt?: string }
  | { done: true };

export interface StepDeps {
  store: ContactStore &
    EnrollmentStore &
    JourneyStore &
    WaiterStore &
    TaskStore &
    Pick<SegmentStore, 'listMemberships'>;
  runtime: JourneyRuntime;
  clock: Clock;
  versions?: VersionCache;
  outbound?: {
    enqueue(input: {
      endpointId: string;
      key: string;
      type: string;
      data: Record<string, unknown>;
    }): Promise<{ outcome: string }>;
  };
  mail?: MailSender;
  settings: { defaultTimeZone: string; ownerEmail?: string; from?: string };
  /** Where node visits are counted for the journey report (optional: the simulator counts its own). */
  aggregates?: AggregateStore;
}

/** How long a wait-for-event registration outlives its timeout before TTL removes it. */
const WAITER_GRACE_SECONDS = 86_400;

/** A decision records its own visit with the successor it picks (a Wait after it included). */
const DECIDES = new Set(['branch', 'split', 'random-split']);

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

type Decision = NodeOf<'branch'> | NodeOf<'split'> | NodeOf<'random-split'>;

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

/**
 * Registers the execution's task token under (contact, event), then looks at the timeline: an
 * event that arrived since the wait started (or since entry) resumes it at once. Registering
 * first and looking second closes the race with ingest, which appends first and looks second.
 */
async function registerWait(
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

async function updateContact(
  deps: StepDeps,
  req: StepRequest,
  node: NodeOf<'update-contact'>,
  ctx: EvaluationContext,
  /** The contact as read with the facts: the first attempt's (a retry reads it again). */
  loaded: Contact | undefined,
): Promise<{ properties: Contact['properties']; tags: string[] }> {
  const at = deps.clock.now().toISOString();
  for (let attempt = 0; attempt < 5; attempt++) {
    const contact = attempt === 0 && loaded ? loaded : await deps.store.getContact(req.contactId);
    if (!contact) throw new EnrollmentExitedError(`contact ${req.contactId} no longer exists`);
    const edits = contactEdits(node.changes, {
      ...ctx,
      contact: { ...ctx.contact, properties: contact.properties, tags: contact.tags ?? [] },
    });
    const tags = new Set(contact.tags ?? []);
    for (const tag of edits.addTags) tags.add(tag);
    for (const tag of edits.removeTags) tags.delete(tag);
    const provenance = Object.fromEntries(
      [...Object.keys(edits.set), ...edits.unset].map((key) => [key, { source: `journey:${req.journeyId}`, at }]),
    );
    const changed = await deps.store.changeProfile(
      contact.contactId,
      contact.version ?? 0,
      {
        setProperties: edits.set,
        removeProperties: edits.unset,
        provenance,
        ...(edits.addTags.length || edits.removeTags.length ? { tags: [...tags].sort() } : {}),
      },
      at,
    );
    if (changed) {
      const properties = { ...contact.properties, ...edits.set };
      for (const key of edits.unset) delete properties[key];
      return { properties, tags: [...tags].sort() };
    }
  }
  throw new Error(`contact ${req.contactId} kept changing; the update will be retried`);
}

/** Fills `{{ contact.email }}`, `{{ contact.firstName }}`, `{{ contact.lastName }}` and `{{ journey.name }}`. */
export function fillMessage(text: string, values: Record<string, string | undefined>): string {
  return text.replace(
    /\{\{\s*(contact\.(?:email|firstName|lastName)|journey\.name)\s*\}\}/g,
    (_, key: string) => values[key] ?? '',
  );
}

async function notifyOwner(deps: StepDeps, req: StepRequest, node: NodeOf<'notify-owner'>) {
  const contact = await deps.store.getContact(req.contactId);
  const version = await (deps.versions as VersionCache).get(req.journeyId, req.journeyVersion);
  const values = {
    'contact.email': contact?.email,
    'contact.firstName': contact?.firstName,
    'contact.lastName': contact?.lastName,
    'journey.name': version?.document.name ?? req.journeyId,
  };
  const subject = fillMessage(node.subject, values);
  const message = fillMessage(node.message, values);
  const to = node.to ?? deps.settings.ownerEmail;
  const byEmail =
    node.channel === 'email' && to !== undefined && deps.mail !== undefined && deps.settings.from !== undefined;
  // The task record doubles as the claim for an email, so a retried step notifies once (at most once).
  const created = await deps.store.putTask({
    taskId: deterministicId('t', req.enrollmentId, req.nodeId),
    contactId: req.contactId,
    journeyId: req.journeyId,
    enrollmentId: req.enrollmentId,
    nodeId: req.nodeId,
    subject,
    message: byEmail
      ? `${message}\n\n(Sent by email to ${to}.)`
      : node.channel === 'email'
        ? `${message}\n\n(No owner email is configured, so this became a task.)`
        : message,
    createdAt: deps.clock.now().toISOString(),
    status: byEmail ? 'done' : 'open',
  });
  if (created === 'created' && byEmail) {
    await (deps.mail as MailSender).send({
      from: deps.settings.from as string,
      to: to as string,
      subject,
      text: message,
      html: `<p>${escapeHtml(message).replace(/\n/g, '<br>')}</p>`,
      headers: [],
      tags: { kind: 'owner-notification', journey: req.journeyId, node: req.nodeId },
    });
  }
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
