import type { TimelineEvent } from '#core/contact.ts';
import { createMemoryMail } from '#messaging/memory-mail.ts';
import { type JourneyEmailRequest, type SendOutcome, sendJourneyEmail } from '#messaging/send-email.ts';
import { createMemoryStore } from '#platform/memory-store.ts';
import { feedsScores, refreshScores } from '#scoring/rescore.ts';
import { changeOfEvent, refreshContactSegments } from '#segments/segments.ts';
import { transitionsOf } from '#workflows/paths.ts';
import { SimulationEngine } from '#workflows/simulate/engine.ts';
import { endEnrollment } from './end-enrollment.ts';
import { guard } from './guard.ts';
import { latestEventTimes, routeEvent } from './routing.ts';
import { runJourneyScheduler } from './scheduler.ts';
import { type PreparedJourney, SIM_SETTINGS, type SimulationDeps, TARGETS } from './simulation-deployment.ts';
import { applyConsent, seedEvent } from './simulation-history.ts';
import { type ContactRun, describeEntry, effects, emailDetail, type WorldInput } from './simulation-record.ts';
import { runJourneyStep } from './step.ts';
import { stepRequestSchema } from './step-request.schema.ts';
import type { JourneyRuntime } from './store.ts';

/**
 * The simulator: a virtual deployment per contact. The journey's compiled ASL runs on
 * aws-local-stepfunctions with a virtual clock (`workflows/simulate/engine.ts`); its tasks run
 * the real domain code (routing and entry rules, sends with consent, quiet hours and caps,
 * branches, waits for events, goals, exits) against in-memory stores. So a simulation decides
 * exactly what production would, given the same events.
 */

/** Simulates one contact's period through the prepared journey. */
export async function simulateWorld(
  deps: SimulationDeps,
  prepared: PreparedJourney,
  input: WorldInput,
): Promise<ContactRun> {
  const memory = createMemoryStore({ journeys: prepared.journeys, segments: prepared.segments });
  const { store } = memory;
  const mail = createMemoryMail();
  const run: ContactRun = {
    contactId: input.contact.contactId,
    email: input.contact.email,
    steps: [],
    emails: [],
    enrollments: [],
    events: [],
    tasks: 0,
    webhooks: 0,
    transitions: 0,
    activeAtEnd: [],
    failures: [],
    taskSubjects: [],
  };
  const nodes = prepared.journey.nodes;
  const enrollmentOf = new Map<string, string>();
  const engine = new SimulationEngine(
    prepared.definition as never,
    {
      invoke: (resource, payload, execution) => invoke(resource, payload, execution),
      entered: (execution, stateName, at) => {
        const node = nodes[stateName];
        if (!node) return;
        run.transitions += transitionsOf(node);
        run.steps.push({
          at: at.toISOString(),
          enrollmentId: execution,
          nodeId: stateName,
          detail: describeEntry(stateName, node),
        });
      },
      tokenSettled: (execution, stateName, outcome, at) => {
        run.steps.push({
          at: at.toISOString(),
          enrollmentId: execution,
          nodeId: stateName,
          detail: outcome === 'resumed' ? 'the event came' : 'timed out',
        });
      },
    },
    input.from,
  );
  const clock = { now: () => engine.now() };
  const runtime: JourneyRuntime = {
    executionArnFor: (_machine, enrollmentId) => `sim:${enrollmentId}`,
    async start(request) {
      engine.start(request.enrollmentId, request.input);
      enrollmentOf.set(request.enrollmentId, request.enrollmentId);
      return { executionArn: `sim:${request.enrollmentId}` };
    },
    async stop(executionArn) {
      engine.stop(executionArn.replace(/^sim:/, ''));
    },
    async resume(token, output) {
      return engine.resumeToken(token, output);
    },
    async publish() {
      throw new Error('a simulation does not publish');
    },
  };
  const sendSettings = { ...SIM_SETTINGS, defaultTimeZone: deps.settings.defaultTimeZone };
  const routing = { store, runtime, clock, versions: prepared.versions };
  // Membership events are routed at once, as their stream records are in a deployment.
  const routeSegmentEvent = async (event: TimelineEvent) => {
    await store.touchLastEvents(event.contactId, latestEventTimes([event]));
    const routed = await routeEvent(routing, event, { createdContact: false });
    await engine.idle();
    run.events.push({ at: event.at, name: `${event.name} ${String(event.data.segmentId)}`, effect: effects(routed) });
  };
  const segmentDeps = { store, clock, onEvent: routeSegmentEvent };
  const scheduler = { ...routing, settings: deps.settings, onSegmentEvent: routeSegmentEvent };
  /**
   * What a deployment's stream consumers do after writes: an event refreshes the scores it feeds
   * and the segments that count it; a changed contact (profile or scores) refreshes its scores and
   * the segments that read properties, tags or scores.
   */
  const contactMark = async () => {
    const contact = await store.getContact(input.contact.contactId);
    return `${contact?.version ?? 0}|${contact?.scoresAt ?? ''}`;
  };
  let profileMark = '';
  const afterWrites = async (event?: TimelineEvent) => {
    if (event && feedsScores(event)) await refreshScores({ store, clock }, input.contact.contactId);
    const change = event ? changeOfEvent(event) : undefined;
    if (change && prepared.segments.length > 0)
      await refreshContactSegments(segmentDeps, input.contact.contactId, change);
    for (let pass = 0; pass < 3; pass++) {
      const mark = await contactMark();
      if (mark === profileMark) break;
      profileMark = mark;
      await refreshScores({ store, clock }, input.contact.contactId);
      if (prepared.segments.length > 0)
        await refreshContactSegments(segmentDeps, input.contact.contactId, { kind: 'profile' });
    }
  };
  const stepDeps = {
    ...routing,
    mail,
    outbound: {
      enqueue: async () => {
        run.webhooks += 1;
        return { outcome: 'enqueued' };
      },
    },
    settings: {
      defaultTimeZone: deps.settings.defaultTimeZone,
      ownerEmail: 'owner@tend.invalid',
      from: SIM_SETTINGS.from,
    },
  };

  async function invoke(resource: string, payload: unknown, execution: string): Promise<unknown> {
    try {
      return await invokeStep(resource, payload, execution);
    } catch (error) {
      const nodeId = (payload as { nodeId?: string }).nodeId;
      const last = run.steps.findLast((s) => s.enrollmentId === execution && s.nodeId === nodeId);
      if (last)
        last.detail =
          error instanceof Error && error.name === 'EnrollmentExited'
            ? `${last.detail} — not run: the enrollment had ended`
            : `${last.detail} — failed: ${String(error)}`;
      throw error;
    }
  }

  async function invokeStep(resource: string, payload: unknown, execution: string): Promise<unknown> {
    const input = payload as Record<string, unknown>;
    switch (resource) {
      case TARGETS.sendEmail: {
        const req = input as unknown as JourneyEmailRequest & Parameters<typeof guard>[1];
        await guard({ store, clock, versions: prepared.versions }, req);
        const outcome: SendOutcome = await sendJourneyEmail(
          { store, templates: deps.templates, render: deps.render, mail, clock, settings: sendSettings },
          { ...req, triggerEventId: req.trigger?.eventId },
        );
        run.emails.push({
          at: clock.now().toISOString(),
          enrollmentId: execution,
          nodeId: req.nodeId,
          template: req.template,
          outcome: outcome.status,
          ...('reason' in outcome ? { reason: outcome.reason } : {}),
        });
        const last = run.steps.findLast((s) => s.enrollmentId === execution && s.nodeId === req.nodeId);
        if (last) last.detail = emailDetail(req.template, outcome);
        if (outcome.status === 'deferred') run.transitions += 2; // the deferral check and its wait
        return outcome;
      }
      case TARGETS.endEnrollment:
        return endEnrollment({ store, clock }, input as never);
      case TARGETS.journeyStep: {
        const req = stepRequestSchema.parse(input);
        const result = await runJourneyStep(stepDeps, req);
        let last = run.steps.findLast((s) => s.enrollmentId === execution && s.nodeId === req.nodeId);
        const decided = req.decision && nodes[req.decision.nodeId];
        if (req.decision && decided) {
          // A decision run inside the update before it (see fusedDecisions): its Choice only.
          run.transitions += transitionsOf(decided, true);
          last = {
            at: clock.now().toISOString(),
            enrollmentId: execution,
            nodeId: req.decision.nodeId,
            detail: describeEntry(req.decision.nodeId, decided),
          };
          run.steps.push(last);
        }
        if (last && 'branch' in result && result.branch) last.detail += ` → ${result.branch}`;
        if (last && 'until' in result) last.detail += ` → until ${result.until}`;
        return result;
      }
      default:
        throw new Error(`the simulation has no function "${resource}"`);
    }
  }

  // The contact as it was when the period began, with its past.
  const first = {
    eventId: `contact.created:${input.contact.contactId}`,
    contactId: input.contact.contactId,
    name: 'contact.created' as const,
    at: input.contact.createdAt,
    data: {},
  };
  await store.createContact(
    input.contact,
    first,
    input.contact.email ? [{ kind: 'email', value: input.contact.email }] : [],
  );
  for (const event of input.history) await seedEvent(store, event, prepared.journey.id, input.contact);
  // The scores and memberships the contact had when the period began: no journey sees these entries.
  await refreshScores({ store, clock }, input.contact.contactId);
  if (prepared.segments.length > 0) {
    await refreshContactSegments({ store, clock }, input.contact.contactId, { kind: 'all' });
  }
  profileMark = await contactMark();

  const script = [...input.script].sort((a, b) => a.at.localeCompare(b.at));
  let next = 0;
  await runJourneyScheduler(scheduler);
  for (let round = 0; round < 100_000; round++) {
    await engine.idle();
    const schedule = Object.values(await store.getScheduleState(prepared.journey.id));
    const candidates = [script[next]?.at, engine.nextWakeAt()?.toISOString(), await store.nextDueAt(), ...schedule]
      .filter((t): t is string => t !== undefined)
      .map((t) => Date.parse(t));
    if (candidates.length === 0) break;
    const t = Math.max(Math.min(...candidates), engine.now().getTime());
    if (t > input.until.getTime()) break;
    engine.advanceTo(new Date(t));
    await engine.idle();
    while (script[next] && Date.parse((script[next] as TimelineEvent).at) <= t) {
      const event = script[next++] as TimelineEvent;
      const appended = await store.appendEvent(event);
      if (appended === 'duplicate') continue;
      await applyConsent(store, input.contact, event);
      // As refresh-contact keeps it in a deployment (a moment later there).
      await store.touchLastEvents(event.contactId, latestEventTimes([event]));
      const routed = await routeEvent(routing, event, { createdContact: event.eventId === input.createdBy });
      await engine.idle();
      run.events.push({ at: event.at, name: event.name, effect: effects(routed) });
      await afterWrites(event);
    }
    await afterWrites();
    const dueAt = await store.nextDueAt();
    if ((dueAt && Date.parse(dueAt) <= t) || schedule.some((s) => Date.parse(s) <= t)) {
      await runJourneyScheduler(scheduler);
      await afterWrites();
    }
  }
  run.activeAtEnd = engine.running();
  for (const name of [...enrollmentOf.keys()]) {
    if (engine.status(name) === 'FAILED')
      run.failures.push({ enrollmentId: name, error: engine.error(name) ?? 'failed' });
  }
  await engine.close();
  run.enrollments = await store.listEnrollments(input.contact.contactId);
  const tasks = await store.listTasks();
  run.tasks = tasks.length;
  run.taskSubjects = tasks.map((t) => t.subject);
  const final = await store.getContact(input.contact.contactId);
  if (final) run.finalContact = { properties: final.properties, tags: final.tags ?? [] };
  return run;
}
