import { beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '#core/clock.ts';
import { builtInTemplateIds } from '#messaging/templating/compiled-built-ins.ts';
import { createMemoryStore } from '#platform/memory-store.ts';
import { BUILT_IN_JOURNEY_IDS } from '#workflows/journeys/index.ts';
import { JourneyError } from './errors.ts';
import {
  changeStatus,
  currentDraft,
  type JourneyServiceDeps,
  journeyHistory,
  listJourneys,
  publishJourney,
  saveDraft,
} from './lifecycle.ts';
import { createMemoryJourneys } from './memory-runtime.ts';

/** The journey lifecycle against the memory store and the recording runtime. */

let now = new Date('2026-03-02T09:00:00Z');
const clock: Clock = { now: () => now };
const targets = { sendEmail: 'send-email', endEnrollment: 'end-enrollment', journeyStep: 'journey-step' };

let memory: ReturnType<typeof createMemoryStore>;
let runtime: ReturnType<typeof createMemoryJourneys>;
let deps: JourneyServiceDeps;

beforeEach(() => {
  now = new Date('2026-03-02T09:00:00Z');
  memory = createMemoryStore();
  runtime = createMemoryJourneys();
  deps = {
    store: memory.store,
    runtime,
    clock,
    targets,
    validationContext: async () => ({ templates: builtInTemplateIds }),
  };
});

const document = (overrides: Record<string, unknown> = {}) => ({
  schemaVersion: 1,
  id: 'welcome-flow',
  name: 'Welcome flow',
  triggers: [{ type: 'event', event: 'form.submitted' }],
  start: 'hello',
  nodes: {
    hello: { type: 'send-email', template: 'welcome', next: 'done' },
    done: { type: 'exit' },
  },
  ...overrides,
});

async function refusal(promise: Promise<unknown>): Promise<JourneyError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof JourneyError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('saveDraft', () => {
  it('refuses a document that does not match the schema with every violation, storing nothing', async () => {
    const body = document({ nodes: { hello: { type: 'send-sms', next: 'done' }, done: { type: 'exit' } } });

    const error = await refusal(saveDraft(deps, 'welcome-flow', body, 'ada'));

    expect(error).toMatchObject({ kind: 'unprocessable', code: 'invalid_journey' });
    expect(error.details).toEqual([expect.objectContaining({ nodeId: 'hello', path: '$.nodes.hello.type' })]);
    expect(await memory.store.getDraft('welcome-flow')).toBeUndefined();
    expect(await memory.store.getJourney('welcome-flow')).toBeUndefined();
  });

  it('refuses a document saved under another id', async () => {
    const error = await refusal(saveDraft(deps, 'other-flow', document(), 'ada'));

    expect(error).toMatchObject({ kind: 'unprocessable', code: 'id_mismatch' });
    expect(await memory.store.getJourney('other-flow')).toBeUndefined();
    expect(await memory.store.getJourney('welcome-flow')).toBeUndefined();
  });

  it('numbers revisions and creates the summary as a draft', async () => {
    expect(await saveDraft(deps, 'welcome-flow', document(), 'ada')).toEqual({ revision: 1, violations: [] });
    expect(await saveDraft(deps, 'welcome-flow', document({ name: 'Hello' }), 'ada', 1)).toEqual({
      revision: 2,
      violations: [],
    });

    expect(await memory.store.getJourney('welcome-flow')).toMatchObject({
      status: 'draft',
      name: 'Hello',
      draftRevision: 2,
      latestVersion: 0,
    });
  });

  it('refuses a save whose expected revision is stale and keeps the newer draft', async () => {
    await saveDraft(deps, 'welcome-flow', document(), 'ada');
    await saveDraft(deps, 'welcome-flow', document({ name: 'Grace saved this' }), 'grace', 1);

    const error = await refusal(saveDraft(deps, 'welcome-flow', document({ name: 'Ada again' }), 'ada', 1));

    expect(error).toMatchObject({ kind: 'conflict', code: 'revision_conflict' });
    expect(await memory.store.getDraft('welcome-flow')).toMatchObject({
      revision: 2,
      savedBy: 'grace',
      document: { name: 'Grace saved this' },
    });
  });

  it('saves a schema-valid draft that still has violations and reports them', async () => {
    const body = document({
      nodes: { hello: { type: 'send-email', template: 'no-such-template', next: 'done' }, done: { type: 'exit' } },
    });

    const saved = await saveDraft(deps, 'welcome-flow', body, 'ada');

    expect(saved.revision).toBe(1);
    expect(saved.violations).toEqual([expect.objectContaining({ path: '$.nodes.hello.template' })]);
    expect((await currentDraft(deps, 'welcome-flow'))?.source).toBe('draft');
  });
});

describe('publishJourney', () => {
  it('refuses a draft with violations as unprocessable, publishing and storing nothing', async () => {
    const body = document({
      nodes: { hello: { type: 'send-email', template: 'no-such-template', next: 'done' }, done: { type: 'exit' } },
    });
    await saveDraft(deps, 'welcome-flow', body, 'ada');

    const error = await refusal(publishJourney(deps, 'welcome-flow', 'ada'));

    expect(error).toMatchObject({ kind: 'unprocessable', code: 'journey_has_violations' });
    expect(error.details).toEqual([expect.objectContaining({ path: '$.nodes.hello.template' })]);
    expect(runtime.published).toEqual([]);
    expect(await memory.store.listVersions('welcome-flow')).toEqual([]);
    expect(await memory.store.getJourney('welcome-flow')).toMatchObject({ status: 'draft', latestVersion: 0 });
    expect((await memory.store.getJourney('welcome-flow'))?.live).toBeUndefined();
  });

  it('answers not found for a journey that is neither saved nor built in', async () => {
    expect(await refusal(publishJourney(deps, 'nobody', 'ada'))).toMatchObject({
      kind: 'not-found',
      code: 'journey_not_found',
    });
  });

  it('publishes version 1, then version 2 with a readable diff, and moves the live version', async () => {
    await saveDraft(deps, 'welcome-flow', document(), 'ada');
    const first = await publishJourney(deps, 'welcome-flow', 'ada');
    now = new Date('2026-03-03T09:00:00Z');
    await saveDraft(
      deps,
      'welcome-flow',
      document({
        triggers: [{ type: 'event', event: 'form.submitted', newContactsOnly: true }],
        nodes: {
          hello: { type: 'send-email', template: 'welcome', next: 'pause' },
          pause: { type: 'wait', duration: { days: 1 }, next: 'done' },
          done: { type: 'exit' },
        },
      }),
      'grace',
    );

    const second = await publishJourney(deps, 'welcome-flow', 'grace');

    expect(first).toMatchObject({
      version: 1,
      publishedBy: 'ada',
      publishedAt: '2026-03-02T09:00:00.000Z',
      diff: ['first version: 2 nodes, 1 trigger(s)'],
    });
    expect(first.versionArn).toMatch(/:1$/);
    expect(second).toMatchObject({ version: 2, publishedBy: 'grace', publishedAt: '2026-03-03T09:00:00.000Z' });
    expect(second.versionArn).toMatch(/:2$/);
    expect(second.diff).toEqual(
      expect.arrayContaining([
        expect.stringContaining('trigger 1'),
        expect.stringContaining('added node "pause"'),
        expect.stringContaining('node "hello"'),
      ]),
    );
    expect(second.transitions.min).toBeGreaterThan(0);
    expect(second.transitions.max).toBeGreaterThanOrEqual(second.transitions.min);
    expect(JSON.parse(second.definition).States).toHaveProperty('pause');
  });

  it('asks the runtime to publish the compiled definition and records the live version on the summary', async () => {
    await saveDraft(deps, 'welcome-flow', document(), 'ada');

    const version = await publishJourney(deps, 'welcome-flow', 'ada');

    expect(runtime.published).toHaveLength(1);
    expect(runtime.published[0]).toMatchObject({ journeyId: 'welcome-flow', definition: version.definition });
    expect(await memory.store.getJourney('welcome-flow')).toMatchObject({
      status: 'live',
      latestVersion: 1,
      draftRevision: 1,
      stateMachineArn: version.stateMachineArn,
      live: {
        version: 1,
        versionArn: version.versionArn,
        triggers: [{ type: 'event', event: 'form.submitted', where: [], newContactsOnly: false }],
        settings: { reentry: { mode: 'never' }, holdoutPercent: 0, timeZone: 'UTC' },
      },
    });
  });

  it('publishes a built-in journey nobody has saved from its shipped document', async () => {
    const version = await publishJourney(deps, 'onboarding', 'ada');

    expect(version.document.id).toBe('onboarding');
    expect((await memory.store.getJourney('onboarding'))?.live?.triggers[0]).toMatchObject({
      event: 'form.submitted',
      newContactsOnly: true,
    });
  });
});

describe('changeStatus', () => {
  beforeEach(async () => {
    await saveDraft(deps, 'welcome-flow', document(), 'ada');
    await publishJourney(deps, 'welcome-flow', 'ada');
  });

  it('pauses a live journey, resumes it and archives it, keeping its live version', async () => {
    now = new Date('2026-03-04T09:00:00Z');
    expect(await changeStatus(deps, 'welcome-flow', 'pause', 'ada')).toMatchObject({
      status: 'paused',
      updatedAt: '2026-03-04T09:00:00.000Z',
      updatedBy: 'ada',
    });
    expect((await memory.store.getJourney('welcome-flow'))?.status).toBe('paused');

    await changeStatus(deps, 'welcome-flow', 'resume', 'ada');
    expect((await memory.store.getJourney('welcome-flow'))?.status).toBe('live');

    await changeStatus(deps, 'welcome-flow', 'archive', 'ada');
    expect(await memory.store.getJourney('welcome-flow')).toMatchObject({ status: 'archived', live: { version: 1 } });
  });

  it.each([
    ['resume a live journey', [], 'resume'],
    ['pause a paused journey', ['pause'], 'pause'],
    ['resume an archived journey', ['archive'], 'resume'],
    ['archive an archived journey', ['archive'], 'archive'],
  ] as const)('refuses to %s as a conflict', async (_, before, action) => {
    for (const step of before) await changeStatus(deps, 'welcome-flow', step, 'ada');
    const status = (await memory.store.getJourney('welcome-flow'))?.status;

    const error = await refusal(changeStatus(deps, 'welcome-flow', action, 'ada'));

    expect(error).toMatchObject({ kind: 'conflict', code: 'illegal_transition' });
    expect((await memory.store.getJourney('welcome-flow'))?.status).toBe(status);
  });

  it('refuses to pause a journey that is only a draft', async () => {
    await saveDraft(deps, 'draft-flow', document({ id: 'draft-flow' }), 'ada');

    expect(await refusal(changeStatus(deps, 'draft-flow', 'pause', 'ada'))).toMatchObject({
      kind: 'conflict',
      code: 'illegal_transition',
    });
  });

  it('answers not found for a journey never saved', async () => {
    expect(await refusal(changeStatus(deps, 'nobody', 'pause', 'ada'))).toMatchObject({
      kind: 'not-found',
      code: 'journey_not_found',
    });
  });

  it('refuses to save or publish an archived journey', async () => {
    await changeStatus(deps, 'welcome-flow', 'archive', 'ada');

    expect(await refusal(saveDraft(deps, 'welcome-flow', document(), 'ada'))).toMatchObject({
      kind: 'conflict',
      code: 'journey_archived',
    });
    expect(await refusal(publishJourney(deps, 'welcome-flow', 'ada'))).toMatchObject({
      kind: 'conflict',
      code: 'journey_archived',
    });
    expect(runtime.published).toHaveLength(1);
    expect(await memory.store.listVersions('welcome-flow')).toHaveLength(1);
    expect((await memory.store.getDraft('welcome-flow'))?.revision).toBe(1);
  });
});

describe('journeyHistory and listJourneys', () => {
  it('lists published versions newest first with their diffs', async () => {
    await saveDraft(deps, 'welcome-flow', document(), 'ada');
    await publishJourney(deps, 'welcome-flow', 'ada');
    await saveDraft(deps, 'welcome-flow', document({ name: 'Welcome flow 2' }), 'grace');
    await publishJourney(deps, 'welcome-flow', 'grace');

    const history = await journeyHistory(deps, 'welcome-flow');

    expect(history.map((h) => [h.version, h.publishedBy])).toEqual([
      [2, 'grace'],
      [1, 'ada'],
    ]);
    expect(history[0]?.diff).toEqual(['name "Welcome flow" → "Welcome flow 2"']);
  });

  it('answers not found for the history of a journey never saved', async () => {
    expect(await refusal(journeyHistory(deps, 'nobody'))).toMatchObject({
      kind: 'not-found',
      code: 'journey_not_found',
    });
  });

  it('shows unpublished built-ins as available next to saved journeys', async () => {
    await publishJourney(deps, 'onboarding', 'ada');
    await saveDraft(deps, 'welcome-flow', document(), 'ada');

    const items = await listJourneys(deps);

    expect(items.map((i) => i.journeyId)).toEqual([...BUILT_IN_JOURNEY_IDS, 'welcome-flow'].sort());
    expect(items.find((i) => i.journeyId === 'onboarding')).toMatchObject({
      status: 'live',
      builtIn: true,
      liveVersion: 1,
      latestVersion: 1,
    });
    expect(items.find((i) => i.journeyId === 'loyalty')).toMatchObject({
      status: 'available',
      builtIn: true,
      latestVersion: 0,
      draftRevision: 0,
    });
    expect(items.find((i) => i.journeyId === 'welcome-flow')).toMatchObject({ status: 'draft', builtIn: false });
  });
});
