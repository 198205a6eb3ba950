import { beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '#core/clock.ts';
import type { Contact, TimelineEvent } from '#core/contact.ts';
import { builtInTemplateIds } from '#messaging/templating/compiled-built-ins.ts';
import { createMemoryStore } from '#platform/memory-store.ts';
import { addTestContact } from '../../test/support/memory.ts';
import { changeStatus, type JourneyServiceDeps, publishJourney, saveDraft } from './lifecycle.ts';
import { createMemoryJourneys } from './memory-runtime.ts';
import { latestEventTimes, routeEvent } from './routing.ts';
import { armContact, runJourneyScheduler, type SchedulerDeps } from './scheduler.ts';

/** Time triggers: inactivity and date due items, schedule runs and publish-time backfills. */

const JOURNEY = 'timed';
let now = new Date('2026-03-02T08:00:00.000Z');
const clock: Clock = { now: () => now };

let memory: ReturnType<typeof createMemoryStore>;
let runtime: ReturnType<typeof createMemoryJourneys>;

const journeyDeps = (): JourneyServiceDeps => ({
  store: memory.store,
  runtime,
  clock,
  targets: { sendEmail: 'send-email', endEnrollment: 'end-enrollment', journeyStep: 'journey-step' },
  validationContext: async () => ({ templates: builtInTemplateIds }),
});
const deps = (): SchedulerDeps => ({ store: memory.store, runtime, clock, settings: { defaultTimeZone: 'UTC' } });
const run = (options: { maxScanPages?: number } = {}) => runJourneyScheduler(deps(), options);

async function publish(triggers: unknown[], name = 'Timed') {
  await saveDraft(
    journeyDeps(),
    JOURNEY,
    {
      schemaVersion: 1,
      id: JOURNEY,
      name,
      triggers,
      start: 'pause',
      nodes: { pause: { type: 'wait', duration: { days: 1 }, next: 'done' }, done: { type: 'exit' } },
      settings: { reentry: { mode: 'always' } },
    },
    'ada',
  );
  return publishJourney(journeyDeps(), JOURNEY, 'ada');
}

const addContact = (id: string, extra: Partial<Contact> = {}) =>
  addTestContact(memory.store, id, extra, '2026-01-01T00:00:00.000Z');

async function land(contactId: string, name: TimelineEvent['name'], at: string) {
  const event: TimelineEvent = { eventId: `${name}:${at}`, contactId, name, at, data: {} };
  await memory.store.appendEvent(event);
  const routed = await routeEvent(deps(), event, { createdContact: false });
  // What refresh-contact then keeps on the contact.
  await memory.store.touchLastEvents(contactId, latestEventTimes([event]));
  return routed;
}

const enrollmentsOf = (contactId: string) => memory.store.listEnrollments(contactId);
const queued = () => memory.store.listDue('2100-01-01T00:00:00.000Z', 1000);

beforeEach(() => {
  now = new Date('2026-03-02T08:00:00.000Z');
  memory = createMemoryStore();
  runtime = createMemoryJourneys();
});

describe('inactivity triggers', () => {
  const inactivity = [{ type: 'inactivity', event: 'order.placed', after: { days: 30 } }];

  it('enrolls a contact whose last order is still the one the due item was armed from', async () => {
    await addContact('c-ada');
    await publish(inactivity);
    await run();
    await land('c-ada', 'order.placed', '2026-03-02T08:00:00.000Z');
    now = new Date('2026-04-01T08:00:00.000Z');

    const report = await run();

    expect(report).toMatchObject({ due: 1, enrolled: 1 });
    expect(await enrollmentsOf('c-ada')).toEqual([
      expect.objectContaining({
        status: 'active',
        trigger: {
          type: 'inactivity',
          eventId: 'inactivity:order.placed:2026-03-02T08:00:00.000Z',
          name: 'order.placed',
          at: '2026-04-01T08:00:00.000Z',
        },
      }),
    ]);
    expect(runtime.started).toHaveLength(1);
    expect(await queued()).toEqual([]);
  });

  it('drops the item armed from an earlier order once a later order re-armed the silence', async () => {
    await addContact('c-ada');
    await publish(inactivity);
    await run();
    await land('c-ada', 'order.placed', '2026-03-02T08:00:00.000Z');
    now = new Date('2026-03-12T08:00:00.000Z');
    await land('c-ada', 'order.placed', '2026-03-12T08:00:00.000Z');
    now = new Date('2026-04-01T08:00:00.000Z');

    const stale = await run();
    now = new Date('2026-04-11T08:00:00.000Z');
    const due = await run();

    expect(stale).toMatchObject({ due: 1, enrolled: 0 });
    expect(due).toMatchObject({ due: 1, enrolled: 1 });
    expect((await enrollmentsOf('c-ada')).map((e) => e.trigger?.eventId)).toEqual([
      'inactivity:order.placed:2026-03-12T08:00:00.000Z',
    ]);
  });

  it('does not enroll a contact again for the same silence when a new version backfills it', async () => {
    await addContact('c-ada');
    await publish(inactivity);
    await run();
    await land('c-ada', 'order.placed', '2026-03-02T08:00:00.000Z');
    now = new Date('2026-04-01T08:00:00.000Z');
    await run();
    await publish(inactivity, 'Timed again');

    const backfill = await run();
    const rearmed = await run();

    expect(backfill).toMatchObject({ jobsStarted: 1, armed: 1 });
    expect(rearmed).toMatchObject({ due: 1, enrolled: 0 });
    expect(await enrollmentsOf('c-ada')).toHaveLength(1);
    expect(runtime.started).toHaveLength(1);
  });

  it('fires nothing for a journey that is paused', async () => {
    await addContact('c-ada');
    await publish(inactivity);
    await land('c-ada', 'order.placed', '2026-03-02T08:00:00.000Z');
    await changeStatus(journeyDeps(), JOURNEY, 'pause', 'ada');
    now = new Date('2026-04-01T08:00:00.000Z');

    expect(await run()).toMatchObject({ enrolled: 0 });
    expect(runtime.started).toEqual([]);
  });
});

describe('date triggers', () => {
  const birthday = [{ type: 'date', property: 'properties.birthday', repeat: 'yearly', at: '09:00' }];

  it('enrolls on the day and re-arms for the next year', async () => {
    await addContact('c-ada', { properties: { birthday: '1990-03-10' } });
    await publish(birthday);
    await run();
    expect((await queued()).map((i) => i.dueAt)).toEqual(['2026-03-10T09:00:00.000Z']);
    now = new Date('2026-03-10T09:00:00.000Z');

    const report = await run();

    expect(report).toMatchObject({ due: 1, enrolled: 1, armed: 1 });
    expect(await enrollmentsOf('c-ada')).toEqual([
      expect.objectContaining({
        trigger: {
          type: 'date',
          eventId: 'date:properties.birthday:2026-03-10T09:00:00.000Z',
          at: '2026-03-10T09:00:00.000Z',
        },
      }),
    ]);
    expect(await queued()).toEqual([
      expect.objectContaining({ dueAt: '2027-03-10T09:00:00.000Z', kind: 'date', contactId: 'c-ada' }),
    ]);
  });

  it("uses the contact's time zone for the time of day", async () => {
    await addContact('c-ada', { properties: { birthday: '1990-03-10' }, timeZone: 'Asia/Tokyo' });
    await publish(birthday);

    await run();

    expect((await queued()).map((i) => i.dueAt)).toEqual(['2026-03-10T00:00:00.000Z']);
  });

  it('does not fire the item of a date that has since changed, and fires the new one', async () => {
    await addContact('c-ada', { properties: { birthday: '1990-03-10' } });
    await publish(birthday);
    await run();
    await memory.store.changeProfile('c-ada', 0, { setProperties: { birthday: '1990-04-20' } }, now.toISOString());
    await armContact(deps(), (await memory.store.getContact('c-ada')) as Contact);

    now = new Date('2026-03-10T09:00:00.000Z');
    const stale = await run();
    now = new Date('2026-04-20T09:00:00.000Z');
    const fresh = await run();

    expect(stale).toMatchObject({ due: 1, enrolled: 0, armed: 0 });
    expect(fresh).toMatchObject({ due: 1, enrolled: 1, armed: 1 });
    expect((await enrollmentsOf('c-ada')).map((e) => e.trigger?.at)).toEqual(['2026-04-20T09:00:00.000Z']);
  });

  it('takes no one on a date that comes round while the journey is paused, but still re-arms the next year', async () => {
    await addContact('c-ada', { properties: { birthday: '1990-03-10' } });
    await publish(birthday);
    await run();
    await changeStatus(journeyDeps(), JOURNEY, 'pause', 'ada');
    now = new Date('2026-03-10T09:00:00.000Z');

    const paused = await run();
    await changeStatus(journeyDeps(), JOURNEY, 'resume', 'ada');
    now = new Date('2027-03-10T09:00:00.000Z');
    const nextYear = await run();

    expect(paused).toMatchObject({ due: 1, enrolled: 0, armed: 1 });
    expect(nextYear).toMatchObject({ due: 1, enrolled: 1 });
    expect((await enrollmentsOf('c-ada')).map((e) => e.trigger?.at)).toEqual(['2027-03-10T09:00:00.000Z']);
  });

  it('does not re-arm a one-off date once it has fired', async () => {
    await addContact('c-ada', { properties: { renewal: '2026-03-10' } });
    await publish([{ type: 'date', property: 'properties.renewal', offset: { days: -3 } }]);
    await run();
    now = new Date('2026-03-07T09:00:00.000Z');

    expect(await run()).toMatchObject({ enrolled: 1, armed: 0 });
    expect(await queued()).toEqual([]);
  });
});

describe('schedule triggers', () => {
  const daily = [
    {
      type: 'schedule',
      every: 'day',
      at: '09:00',
      audience: [{ kind: 'property', property: 'properties.plan', op: 'eq', value: 'pro' }],
    },
  ];

  it('first records the next run and enrolls nobody', async () => {
    await addContact('c-pro', { properties: { plan: 'pro' } });
    await publish(daily);

    const report = await run();

    expect(report).toMatchObject({ enrolled: 0, jobsStarted: 0, scanned: 0 });
    expect(await memory.store.getScheduleState(JOURNEY)).toEqual({ 0: '2026-03-02T09:00:00.000Z' });
  });

  it('at the run time enrolls only contacts in the audience that have an email, once per run', async () => {
    await addContact('c-pro', { properties: { plan: 'pro' } });
    await addContact('c-free', { properties: { plan: 'free' } });
    await addContact('c-anon', { properties: { plan: 'pro' } });
    await memory.store.changeProfile('c-anon', 0, { email: '' }, now.toISOString());
    await publish(daily);
    await run();
    now = new Date('2026-03-02T09:00:00.000Z');

    const report = await run();
    now = new Date('2026-03-02T09:00:30.000Z');
    const again = await run();

    expect(report).toMatchObject({ jobsStarted: 1, enrolled: 1, scanned: 3 });
    expect(again).toMatchObject({ jobsStarted: 0, enrolled: 0 });
    expect(await enrollmentsOf('c-pro')).toEqual([
      expect.objectContaining({
        trigger: { type: 'schedule', eventId: 'schedule:2026-03-02T09:00:00.000Z', at: '2026-03-02T09:00:00.000Z' },
      }),
    ]);
    expect(await enrollmentsOf('c-free')).toEqual([]);
    expect(await enrollmentsOf('c-anon')).toEqual([]);
    expect(runtime.started).toHaveLength(1);
    expect(await memory.store.getScheduleState(JOURNEY)).toEqual({ 0: '2026-03-03T09:00:00.000Z' });
    expect(await memory.store.listOpenScanJobs()).toEqual([]);
  });

  it('resumes a long scan where the previous invocation stopped', async () => {
    for (let i = 0; i < 150; i++) await addContact(`c-${String(i).padStart(3, '0')}`, { properties: { plan: 'pro' } });
    await publish(daily);
    await run();
    now = new Date('2026-03-02T09:00:00.000Z');

    const first = await run({ maxScanPages: 1 });
    const second = await run({ maxScanPages: 1 });

    expect(first).toMatchObject({ scanned: 100, enrolled: 100 });
    expect(second).toMatchObject({ scanned: 50, enrolled: 50 });
    expect(runtime.started).toHaveLength(150);
    expect(await memory.store.listOpenScanJobs()).toEqual([]);
  });
});

describe('backfills', () => {
  it('arms the date and inactivity triggers of contacts who existed before the publish, once', async () => {
    await addContact('c-ada', { properties: { birthday: '1990-03-10' } });
    await addContact('c-bob');
    await memory.store.touchLastEvents('c-bob', { 'order.placed': '2026-02-20T12:00:00.000Z' });
    await publish([
      { type: 'date', property: 'properties.birthday', repeat: 'yearly' },
      { type: 'inactivity', event: 'order.placed', after: { days: 30 } },
    ]);

    const report = await run();
    const again = await run();

    expect(report).toMatchObject({ jobsStarted: 1, armed: 2, scanned: 2 });
    expect(again).toMatchObject({ jobsStarted: 0, scanned: 0 });
    expect(await queued()).toEqual([
      expect.objectContaining({ contactId: 'c-ada', kind: 'date', dueAt: '2026-03-10T09:00:00.000Z', trigger: 0 }),
      expect.objectContaining({
        contactId: 'c-bob',
        kind: 'inactivity',
        dueAt: '2026-03-22T12:00:00.000Z',
        trigger: 1,
      }),
    ]);
    expect(await memory.store.getScanJob(`backfill:${JOURNEY}:1`)).toMatchObject({ done: true, kind: 'backfill' });
  });

  it('starts no backfill for a journey with only event triggers', async () => {
    await addContact('c-ada');
    await publish([{ type: 'event', event: 'order.placed' }]);

    expect(await run()).toMatchObject({ jobsStarted: 0, scanned: 0 });
  });

  it('closes the open job of a version that is no longer live and backfills the new one', async () => {
    for (let i = 0; i < 150; i++) await addContact(`c-${String(i).padStart(3, '0')}`);
    const triggers = [{ type: 'inactivity', event: 'order.placed', after: { days: 30 } }];
    await publish(triggers);
    await run({ maxScanPages: 1 });
    expect(await memory.store.getScanJob(`backfill:${JOURNEY}:1`)).toMatchObject({ done: false });
    await publish(triggers, 'Timed again');

    const report = await run({ maxScanPages: 1 });

    expect(await memory.store.getScanJob(`backfill:${JOURNEY}:1`)).toMatchObject({ done: true });
    expect(report.jobsStarted).toBe(1);
    expect(await memory.store.getScanJob(`backfill:${JOURNEY}:2`)).toMatchObject({ version: 2 });
  });

  it('closes the open jobs of a journey that was paused', async () => {
    for (let i = 0; i < 150; i++) await addContact(`c-${String(i).padStart(3, '0')}`);
    await publish([{ type: 'inactivity', event: 'order.placed', after: { days: 30 } }]);
    await run({ maxScanPages: 1 });
    await changeStatus(journeyDeps(), JOURNEY, 'pause', 'ada');

    const report = await run({ maxScanPages: 1 });

    expect(report.scanned).toBe(0);
    expect(await memory.store.listOpenScanJobs()).toEqual([]);
  });
});
