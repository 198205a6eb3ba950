import { beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '#core/clock.ts';
import type { TimelineEvent } from '#core/contact.ts';
import { builtInTemplateIds } from '#messaging/templating/compiled-built-ins.ts';
import { createMemoryStore } from '#platform/memory-store.ts';
import { journeyReport } from '#reports/journey-report.ts';
import { applyIncrements, incrementsFor } from '#reports/kpi-counters.ts';
import { addTestContact } from '../../test/support/memory.ts';
import { type JourneyServiceDeps, publishJourney, saveDraft } from './lifecycle.ts';
import { createMemoryJourneys } from './memory-runtime.ts';
import { repairEnrollments } from './repair.ts';
import { routeEvent } from './routing.ts';
import { runJourneyScheduler } from './scheduler.ts';

/** The repair sweep: active enrollments whose execution never started, is gone or has ended. */

const JOURNEY = 'welcome';
const MINUTE = 60_000;
const GRACE = { graceMs: 10 * MINUTE };
const T0 = Date.parse('2026-03-02T08:00:00.000Z');
let now = new Date(T0);
const clock: Clock = { now: () => now };
const at = (ms: number) => {
  now = new Date(T0 + ms);
};

let memory: ReturnType<typeof createMemoryStore>;
let runtime: ReturnType<typeof createMemoryJourneys>;

const deps = () => ({ store: memory.store, runtime, clock });
const repair = () => repairEnrollments(deps(), GRACE);

async function publish() {
  const journeyDeps: JourneyServiceDeps = {
    store: memory.store,
    runtime,
    clock,
    targets: { sendEmail: 'send-email', endEnrollment: 'end-enrollment', journeyStep: 'journey-step' },
    validationContext: async () => ({ templates: builtInTemplateIds }),
  };
  await saveDraft(
    journeyDeps,
    JOURNEY,
    {
      schemaVersion: 1,
      id: JOURNEY,
      name: 'Welcome',
      triggers: [{ type: 'event', event: 'form.submitted' }],
      start: 'pause',
      nodes: { pause: { type: 'wait', duration: { days: 7 }, next: 'done' }, done: { type: 'exit' } },
      settings: { reentry: { mode: 'always' } },
    },
    'ada',
  );
  await publishJourney(journeyDeps, JOURNEY, 'ada');
}

/** A contact submits the form and enters the journey; resolves with the enrollment. */
async function enter(contactId: string) {
  await addTestContact(memory.store, contactId);
  const event: TimelineEvent = {
    eventId: `form:${contactId}`,
    contactId,
    name: 'form.submitted',
    at: now.toISOString(),
    data: {},
  };
  await memory.store.appendEvent(event);
  await routeEvent(deps(), event, { createdContact: true });
  const [enrollment] = await memory.store.listEnrollments(contactId);
  if (!enrollment?.executionArn) throw new Error(`${contactId} did not enter with an execution`);
  return { ...enrollment, executionArn: enrollment.executionArn };
}

const repairsOf = async (contactId: string) =>
  (await memory.store.listEvents(contactId, 100)).filter((e) => e.name === 'journey.repaired').map((e) => e.data);

beforeEach(async () => {
  at(0);
  memory = createMemoryStore();
  runtime = createMemoryJourneys();
  await publish();
});

describe('the repair sweep', () => {
  it('does not look at an enrollment before the grace period has passed', async () => {
    await enter('c-ada');
    at(9 * MINUTE);

    expect(await repair()).toEqual({ checked: 0, started: 0, restarted: 0, closed: 0, failed: 0 });
  });

  it('leaves a running execution alone and looks at it again only once its age has about quadrupled', async () => {
    await enter('c-ada');
    at(11 * MINUTE);

    expect(await repair()).toMatchObject({ checked: 1, started: 0, restarted: 0, closed: 0 });
    at(12 * MINUTE);
    expect((await repair()).checked).toBe(0);
    at(11 * MINUTE + 33 * MINUTE + GRACE.graceMs);
    expect((await repair()).checked).toBe(1);
    expect(await repairsOf('c-ada')).toEqual([]);
    expect(runtime.started).toHaveLength(1);
  });

  it('starts the execution of an enrollment that never got one, named by the enrollment, once', async () => {
    const enrollment = await enter('c-ada');
    // As if the process died between the enrollment and StartExecution.
    runtime.started.length = 0;
    const stranded = { ...enrollment, executionArn: undefined };
    await addTestContact(memory.store, 'c-bob');
    const bob = { ...stranded, contactId: 'c-bob', enrollmentId: 'e-bob', triggerEventId: 'form:c-bob' };
    await memory.store.enroll(bob, { reentry: { mode: 'always' } });
    at(11 * MINUTE);

    expect(await repair()).toMatchObject({ checked: 2, started: 1, restarted: 1 });

    expect(runtime.started.map((s) => s.enrollmentId).sort()).toEqual([enrollment.enrollmentId, 'e-bob'].sort());
    const started = runtime.started.find((s) => s.enrollmentId === 'e-bob');
    expect(started?.stateMachineArn).toMatch(/:stateMachine:.+:1$/);
    expect(started?.input).toMatchObject({ contactId: 'c-bob', enrollmentId: 'e-bob', journeyId: JOURNEY });
    expect((await memory.store.getEnrollment('c-bob', 'e-bob'))?.executionArn).toMatch(/:execution:.+:e-bob$/);
    expect(await repairsOf('c-bob')).toEqual([
      expect.objectContaining({ action: 'started', enrollmentId: 'e-bob', reason: 'its execution was never started' }),
    ]);
    // Later looks find it running: no second start, no second repair.
    at(2 * 24 * 60 * MINUTE);
    await repair();
    expect(runtime.started).toHaveLength(2);
    expect(await repairsOf('c-bob')).toHaveLength(1);
  });

  it('restarts under the same name an execution the runtime no longer knows', async () => {
    const enrollment = await enter('c-ada');
    runtime.started.length = 0;
    at(11 * MINUTE);

    expect(await repair()).toMatchObject({ checked: 1, restarted: 1 });

    expect(runtime.started.map((s) => s.enrollmentId)).toEqual([enrollment.enrollmentId]);
    expect((await memory.store.getEnrollment('c-ada', enrollment.enrollmentId))?.executionArn).toBe(
      enrollment.executionArn,
    );
    expect(await repairsOf('c-ada')).toEqual([expect.objectContaining({ action: 'restarted' })]);
  });

  it('closes enrollments whose execution ended without closing them, the way it ended', async () => {
    const failed = await enter('c-ada');
    const succeeded = await enter('c-bob');
    const stopped = await enter('c-cy');
    runtime.statuses.set(failed.executionArn, 'TIMED_OUT');
    runtime.statuses.set(succeeded.executionArn, 'SUCCEEDED');
    runtime.statuses.set(stopped.executionArn, 'ABORTED');
    at(11 * MINUTE);

    expect(await repair()).toMatchObject({ checked: 3, closed: 3 });

    const statusOf = async (e: typeof failed) =>
      (await memory.store.getEnrollment(e.contactId, e.enrollmentId))?.status;
    expect([await statusOf(failed), await statusOf(succeeded), await statusOf(stopped)]).toEqual([
      'failed',
      'completed',
      'exited',
    ]);
    expect(await repairsOf('c-ada')).toEqual([
      expect.objectContaining({ action: 'closed', executionStatus: 'TIMED_OUT' }),
    ]);
    const exited = (await memory.store.listEvents('c-ada', 100)).find((e) => e.name === 'journey.exited');
    expect(exited?.data).toMatchObject({ status: 'failed', error: 'execution timed_out' });
    // Closed enrollments are not looked at again.
    at(365 * 24 * 60 * MINUTE);
    expect((await repair()).checked).toBe(0);
  });

  it('drops the check of an enrollment that ended as it should, without asking the runtime', async () => {
    const enrollment = await enter('c-ada');
    await memory.store.endEnrollment('c-ada', enrollment.enrollmentId, 'completed', now.toISOString());
    runtime.started.length = 0;
    at(11 * MINUTE);

    expect(await repair()).toEqual({ checked: 1, started: 0, restarted: 0, closed: 0, failed: 0 });
    at(365 * 24 * 60 * MINUTE);
    expect((await repair()).checked).toBe(0);
    expect(runtime.started).toHaveLength(0);
  });

  it('runs with the journey scheduler, which reports how many it repaired', async () => {
    await enter('c-ada');
    runtime.started.length = 0;
    at(11 * MINUTE);

    const report = await runJourneyScheduler({
      ...deps(),
      settings: { defaultTimeZone: 'UTC' },
      repair: { ...GRACE, executions: runtime },
    });

    expect(report.repaired).toBe(1);
  });

  it('counts repairs per journey version for the dashboard, by what was done', async () => {
    await enter('c-ada');
    runtime.started.length = 0;
    at(11 * MINUTE);
    await repair();
    const [repaired] = (await memory.store.listEvents('c-ada', 100)).filter((e) => e.name === 'journey.repaired');
    if (!repaired) throw new Error('no journey.repaired event');

    const counters = applyIncrements({}, incrementsFor(repaired, {}).increments);
    const report = journeyReport(JOURNEY, 1, counters[`journey#${JOURNEY}#v1`] ?? {});

    expect(report).toMatchObject({ repaired: 1, repairedByAction: { restarted: 1 } });
  });
});
