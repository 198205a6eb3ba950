import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Clock } from '#core/clock.ts';
import type { TimelineEvent } from '#core/contact.ts';
import { refreshContact } from '#journeys/contact-refresh.ts';
import { loadFacts } from '#journeys/context.ts';
import { publishJourney, saveDraft } from '#journeys/lifecycle.ts';
import { createMemoryJourneys } from '#journeys/memory-runtime.ts';
import { routeEvent } from '#journeys/routing.ts';
import { runJourneyScheduler } from '#journeys/scheduler.ts';
import { builtInTemplateIds } from '#messaging/templating/compiled-built-ins.ts';
import { createMemoryStore } from '#platform/memory-store.ts';
import { addTestContact } from '../../test/support/memory.ts';
import { SegmentError } from './errors.ts';
import { changeOfEvent, refreshContactSegments, runReevaluations, type SegmentDeps, saveSegment } from './segments.ts';

/** Segment membership kept current by events, profile changes, closing windows and rule changes. */

let now = new Date('2026-06-01T09:00:00Z');
const clock: Clock = { now: () => now };
let memory: ReturnType<typeof createMemoryStore>;
let runtime: ReturnType<typeof createMemoryJourneys>;
/** Membership events as the event stream would deliver them to routing. */
let delivered: TimelineEvent[];

const deps = (): SegmentDeps => ({
  store: memory.store,
  clock,
  onEvent: async (event) => {
    delivered.push(event);
    await routeEvent({ store: memory.store, runtime, clock }, event, { createdContact: false });
  },
});

const REPEAT_BUYERS = {
  id: 'repeat-buyers',
  name: 'Repeat buyers',
  conditions: [{ kind: 'event', event: 'order.placed', count: { op: 'gte', value: 2 }, within: { days: 90 } }],
};

const addContact = (id: string, tags: string[] = []) =>
  addTestContact(memory.store, id, { tags }, '2026-01-01T00:00:00.000Z');

/** An order lands on the timeline and the event stream's consumer sees it. */
async function order(contactId: string, at: string) {
  const event: TimelineEvent = {
    eventId: `order:${contactId}:${at}`,
    contactId,
    name: 'order.placed',
    at,
    data: { total: { amountMinor: 4200, currency: 'EUR' } },
  };
  now = new Date(Math.max(now.getTime(), Date.parse(at)));
  await memory.store.appendEvent(event);
  const change = changeOfEvent(event);
  if (change) await refreshContactSegments(deps(), contactId, change);
}

const saveVips = async () => {
  await saveSegment(deps(), { id: 'vips', name: 'VIPs', conditions: [{ kind: 'tag', tag: 'vip' }] }, { actor: 'test' });
  await runReevaluations(deps());
};
const members = async (segmentId = 'repeat-buyers') =>
  (await memory.store.listMembers(segmentId, undefined, 100)).members.map((m) => m.contactId);
const count = async (segmentId = 'repeat-buyers') => (await memory.store.getSegment(segmentId))?.members;

beforeEach(async () => {
  now = new Date('2026-06-01T09:00:00Z');
  memory = createMemoryStore();
  runtime = createMemoryJourneys();
  delivered = [];
  for (const id of ['c-ada', 'c-bob', 'c-cy']) await addContact(id, id === 'c-ada' ? ['vip'] : []);
});

describe('membership kept current as events arrive', () => {
  it('lets a contact in at the second order in 90 days, with a timeline entry and the count', async () => {
    await saveSegment(deps(), REPEAT_BUYERS, { actor: 'test' });
    await runReevaluations(deps());
    await order('c-ada', '2026-06-01T10:00:00Z');
    expect(await members()).toEqual([]);

    await order('c-ada', '2026-06-10T10:00:00Z');

    expect(await members()).toEqual(['c-ada']);
    expect(await count()).toBe(1);
    const entries = (await memory.store.listEvents('c-ada', 50)).filter((e) => e.name === 'segment.entered');
    expect(entries.map((e) => e.data.segmentId)).toEqual(['repeat-buyers']);
    expect(delivered.map((e) => e.name)).toEqual(['segment.entered']);
  });

  it('changes nothing when the same event is processed again', async () => {
    await saveSegment(deps(), REPEAT_BUYERS, { actor: 'test' });
    await order('c-ada', '2026-06-01T10:00:00Z');
    await order('c-ada', '2026-06-10T10:00:00Z');
    await refreshContactSegments(deps(), 'c-ada', { kind: 'event', name: 'order.placed' });
    expect(await count()).toBe(1);
    expect(delivered).toHaveLength(1);
  });

  it('lets the contact out when the older order leaves the window, by a due item at that moment', async () => {
    await saveSegment(deps(), REPEAT_BUYERS, { actor: 'test' });
    await order('c-ada', '2026-06-01T10:00:00Z');
    await order('c-ada', '2026-06-10T10:00:00Z');
    expect(await memory.store.nextDueAt()).toBe('2026-08-30T10:00:00.000Z');

    now = new Date('2026-08-30T09:59:00Z');
    await runJourneyScheduler({ store: memory.store, runtime, clock, settings: { defaultTimeZone: 'UTC' } });
    expect(await members()).toEqual(['c-ada']);

    now = new Date('2026-08-30T10:00:00Z');
    const report = await runJourneyScheduler({
      store: memory.store,
      runtime,
      clock,
      settings: { defaultTimeZone: 'UTC' },
    });

    expect(report.segmentChecks).toBeGreaterThan(0);
    expect(await members()).toEqual([]);
    expect(await count()).toBe(0);
    const exits = (await memory.store.listEvents('c-ada', 50)).filter((e) => e.name === 'segment.exited');
    expect(exits).toHaveLength(1);
  });

  it('re-evaluates property and tag rules on a profile change', async () => {
    await saveVips();
    expect(await members('vips')).toEqual(['c-ada']);
    const bob = await memory.store.getContact('c-bob');
    await memory.store.changeProfile('c-bob', bob?.version ?? 0, { tags: ['vip'] }, now.toISOString());

    await refreshContactSegments(deps(), 'c-bob', { kind: 'profile' });

    expect(await members('vips')).toEqual(['c-ada', 'c-bob']);
  });

  it('shows memberships to journey conditions', async () => {
    await saveVips();
    const facts = await loadFacts(memory.store, 'c-ada', now);
    expect(facts?.ctx.contact.segments).toEqual(['vips']);
  });
});

describe('a rule change', () => {
  beforeEach(async () => {
    await saveSegment(deps(), REPEAT_BUYERS, { actor: 'test' });
    await runReevaluations(deps());
    for (const id of ['c-ada', 'c-bob']) {
      await order(id, '2026-06-01T10:00:00Z');
      await order(id, '2026-06-10T10:00:00Z');
    }
    await order('c-cy', '2026-06-10T10:00:00Z');
    expect(await members()).toEqual(['c-ada', 'c-bob']);
  });

  it('that narrows the rule re-evaluates only the members, and shows the new membership', async () => {
    const saved = await saveSegment(
      deps(),
      { ...REPEAT_BUYERS, conditions: [...REPEAT_BUYERS.conditions, { kind: 'tag', tag: 'vip' }] },
      { actor: 'test', expectedRevision: 1 },
    );
    expect(saved.scope).toBe('members');

    const evaluated = await runReevaluations(deps());

    expect(evaluated).toBe(2); // the two members, not the three contacts
    expect(await members()).toEqual(['c-ada']);
    expect(await count()).toBe(1);
    const job = (await memory.store.getSegment('repeat-buyers'))?.reevaluation;
    expect(job).toMatchObject({ revision: 2, scope: 'members', status: 'done', scanned: 2, exited: 1, entered: 0 });
  });

  it('that widens the rule evaluates every contact against this one segment', async () => {
    const saved = await saveSegment(
      deps(),
      { ...REPEAT_BUYERS, conditions: [{ ...REPEAT_BUYERS.conditions[0], count: { op: 'gte', value: 1 } }] },
      { actor: 'test' },
    );
    expect(saved.scope).toBe('contacts');

    expect(await runReevaluations(deps())).toBe(3);

    expect(await members()).toEqual(['c-ada', 'c-bob', 'c-cy']);
    expect(await count()).toBe(3);
  });

  it('that only renames it re-evaluates nobody', async () => {
    const saved = await saveSegment(deps(), { ...REPEAT_BUYERS, name: 'Loyal buyers' }, { actor: 'test' });
    expect(saved.scope).toBe('none');
    expect(await runReevaluations(deps())).toBe(0);
    expect(await members()).toEqual(['c-ada', 'c-bob']);
  });

  it('that narrows the rule while an earlier scan of every contact still runs keeps scanning every contact', async () => {
    await saveSegment(
      deps(),
      { ...REPEAT_BUYERS, name: 'Widened', conditions: [{ kind: 'tag', tag: 'vip' }] },
      { actor: 'test' },
    );
    const saved = await saveSegment(
      deps(),
      { ...REPEAT_BUYERS, conditions: [{ kind: 'tag', tag: 'vip' }, ...REPEAT_BUYERS.conditions] },
      { actor: 'test' },
    );
    expect(saved.scope).toBe('contacts');
    expect(await runReevaluations(deps())).toBe(3);
    expect(await members()).toEqual(['c-ada']);
  });

  it('is refused when someone else changed the segment since it was read', async () => {
    await saveSegment(deps(), { ...REPEAT_BUYERS, name: 'Loyal buyers' }, { actor: 'test' });
    const refusal = await saveSegment(deps(), REPEAT_BUYERS, { actor: 'test', expectedRevision: 1 }).catch((e) => e);
    expect(refusal).toBeInstanceOf(SegmentError);
    expect(refusal).toMatchObject({ kind: 'conflict', code: 'revision_changed' });
  });

  it('with violations is refused with each one, and nothing is written', async () => {
    const refusal = await saveSegment(
      deps(),
      { ...REPEAT_BUYERS, conditions: [{ kind: 'event', event: 'order.shiped' }] },
      { actor: 'test' },
    ).catch((e) => e);
    expect(refusal).toMatchObject({ kind: 'unprocessable', code: 'segment_has_violations' });
    expect((refusal as SegmentError).message).toContain('$.conditions[0].event');
    expect((await memory.store.getSegment('repeat-buyers'))?.revision).toBe(1);
  });
});

describe('a journey triggered on entering a segment', () => {
  it('enrolls the contacts that enter, once each', async () => {
    await saveSegment(deps(), REPEAT_BUYERS, { actor: 'test' });
    const journeyDeps = {
      store: memory.store,
      runtime,
      clock,
      targets: { sendEmail: 'send-email', endEnrollment: 'end-enrollment', journeyStep: 'journey-step' },
      validationContext: async () => ({ templates: builtInTemplateIds, segments: new Set(['repeat-buyers']) }),
    };
    await saveDraft(
      journeyDeps,
      'thank-repeat-buyers',
      {
        schemaVersion: 1,
        id: 'thank-repeat-buyers',
        name: 'Thank repeat buyers',
        triggers: [{ type: 'segment', segment: 'repeat-buyers', on: 'enter' }],
        start: 'pause',
        nodes: { pause: { type: 'wait', duration: { days: 1 }, next: 'done' }, done: { type: 'exit' } },
        settings: { reentry: { mode: 'never' } },
      },
      'test',
    );
    await publishJourney(journeyDeps, 'thank-repeat-buyers', 'test');

    for (const id of ['c-ada', 'c-bob']) {
      await order(id, '2026-06-01T10:00:00Z');
      await order(id, '2026-06-10T10:00:00Z');
    }
    await order('c-cy', '2026-06-10T10:00:00Z');
    // The stream delivers a record twice now and then.
    for (const event of delivered)
      await routeEvent({ store: memory.store, runtime, clock }, event, { createdContact: false });

    const enrolled = await Promise.all(['c-ada', 'c-bob', 'c-cy'].map((id) => memory.store.listEnrollments(id)));
    expect(enrolled.map((list) => list.map((e) => e.journeyId))).toEqual([
      ['thank-repeat-buyers'],
      ['thank-repeat-buyers'],
      [],
    ]);
    expect(enrolled[0]?.[0]?.trigger).toMatchObject({ type: 'segment', name: 'segment.entered' });
    expect(runtime.started).toHaveLength(2);
  });
});

describe('a new contact’s first records', () => {
  it('are evaluated as handed over, without reading the timeline, to the same memberships and scores', async () => {
    await saveSegment(deps(), REPEAT_BUYERS, { actor: 'test' });
    await runReevaluations(deps());
    const events = (id: string): TimelineEvent[] => [
      { eventId: `created:${id}`, contactId: id, name: 'contact.created', at: '2026-06-01T08:00:00.000Z', data: {} },
      ...['2026-05-20T10:00:00.000Z', '2026-05-30T10:00:00.000Z'].map((at) => ({
        eventId: `order:${id}:${at}`,
        contactId: id,
        name: 'order.placed' as const,
        at,
        data: { total: { amountMinor: 4200, currency: 'EUR' } },
      })),
    ];
    for (const id of ['c-read', 'c-handed']) {
      await addTestContact(memory.store, id, {}, '2026-06-01T08:00:00.000Z');
      for (const event of events(id).slice(1)) await memory.store.appendEvent(event);
    }
    const scoreDeps = { ...deps(), store: memory.store };
    const read = await refreshContact(scoreDeps, 'c-read', [{ kind: 'all' }], { scores: true });

    const listEvents = vi.spyOn(memory.store, 'listEvents');
    const handed = await refreshContact(scoreDeps, 'c-handed', [{ kind: 'all' }], {
      scores: true,
      history: events('c-handed'),
    });

    expect(listEvents).not.toHaveBeenCalled();
    expect(handed).toEqual(read);
    expect(handed.entered).toEqual(['repeat-buyers']);
    const scores = async (id: string) => (await memory.store.getContact(id))?.scores;
    expect(await scores('c-handed')).toEqual(await scores('c-read'));
    expect(await scores('c-handed')).toBeDefined();
  });
});
