import type { Contact } from '#core/contact.ts';
import { refreshContactSegments, runReevaluations, type SegmentDeps } from '#segments/segments.ts';
import { contactValue, evaluateConditions } from '#workflows/conditions.ts';
import { inactivityDue, nextDateOccurrence, nextScheduleRun } from '#workflows/schedule.ts';
import type { Trigger } from '#workflows/trigger.schema.ts';
import { refreshContact } from './contact-refresh.ts';
import { contactFacts, eventFact, FACT_EVENTS } from './context.ts';
import { enrollContact, liveJourneys } from './enroll-contact.ts';
import type { DueItem, JourneySummary, ScanJob } from './model.ts';
import { type RepairDeps, type RepairOptions, repairEnrollments } from './repair.ts';
import type { RoutingDeps } from './routing.ts';

/**
 * Time triggers, without a crawl of every contact on every tick:
 * - inactivity: each event arms a due item at `event time + N days` (routing does it); when it
 *   comes due and the contact's last such event is still that one, the contact enters;
 * - date: a due item at the next occurrence of the contact's date (armed when the contact
 *   changes, by `armTimeTriggers`); yearly ones re-arm for the next year when they fire;
 * - schedule: at each run time, one resumable scan of the contacts enrolls those in the audience.
 * Publishing a journey with date or inactivity triggers starts one backfill scan that arms the
 * contacts who existed before it. Scans run a bounded number of pages per invocation.
 */

export interface SchedulerDeps extends RoutingDeps {
  store: RoutingDeps['store'] & SegmentDeps['store'];
  settings: { defaultTimeZone: string };
  /** Membership events the scheduler writes (the simulator routes them; on AWS the stream does). */
  onSegmentEvent?: SegmentDeps['onEvent'];
  /** When set, each run also repairs stranded enrollments (repair.ts); it needs execution statuses. */
  repair?: RepairOptions & { executions: RepairDeps['runtime'] };
}

export interface SchedulerReport {
  due: number;
  enrolled: number;
  armed: number;
  scanned: number;
  jobsStarted: number;
  /** Contacts re-evaluated: windows that closed, and rule changes' scans. */
  segmentChecks: number;
  /** Contacts whose scores were due to move with time. */
  scoreChecks: number;
  /** Stranded enrollments started, restarted or closed by the repair sweep. */
  repaired: number;
}

type Live = JourneySummary & { live: NonNullable<JourneySummary['live']> };

const SCAN_PAGE = 100;

export async function runJourneyScheduler(
  deps: SchedulerDeps,
  options: { maxDue?: number; maxScanPages?: number } = {},
): Promise<SchedulerReport> {
  const report: SchedulerReport = {
    due: 0,
    enrolled: 0,
    armed: 0,
    scanned: 0,
    jobsStarted: 0,
    segmentChecks: 0,
    scoreChecks: 0,
    repaired: 0,
  };
  const segmentDeps: SegmentDeps = {
    store: deps.store,
    clock: deps.clock,
    ...(deps.onSegmentEvent ? { onEvent: deps.onSegmentEvent } : {}),
  };
  const now = deps.clock.now();
  const journeys = await liveJourneys(deps.store);
  const byId = new Map(journeys.map((j) => [j.journeyId, j]));

  let paused: Map<string, Live> | undefined;
  for (const item of await deps.store.listDue(now.toISOString(), options.maxDue ?? 500)) {
    report.due += 1;
    const journey = byId.get(item.journeyId);
    if (item.kind === 'segments') {
      await refreshContactSegments(segmentDeps, item.contactId, { kind: 'time' });
      report.segmentChecks += 1;
    } else if (item.kind === 'scores') {
      // Time moved a score: store it and re-evaluate the segments that read scores.
      await refreshContact({ ...segmentDeps, store: deps.store }, item.contactId, [], { scores: true });
      report.scoreChecks += 1;
    } else if (journey) {
      const fired = await fireDue(deps, journey, item);
      report.enrolled += fired.enrolled;
      report.armed += fired.armed;
    } else if (item.kind === 'date') {
      // A paused journey takes no one, but a yearly date it skips must still come round next
      // year: nothing else re-arms it once this item is deleted.
      paused ??= await pausedJourneys(deps);
      const resting = paused.get(item.journeyId);
      if (resting) report.armed += (await fireDue(deps, resting, item, { enter: false })).armed;
    }
    await deps.store.deleteDue(item);
  }

  if (deps.repair) {
    const repairs = await repairEnrollments({ ...deps, runtime: deps.repair.executions }, deps.repair);
    report.repaired = repairs.started + repairs.restarted + repairs.closed;
  }

  for (const journey of journeys) {
    report.jobsStarted += await startJobs(deps, journey);
  }

  report.segmentChecks += await runReevaluations(segmentDeps, { maxPages: options.maxScanPages ?? 20 });

  let pages = options.maxScanPages ?? 20;
  for (const job of await deps.store.listOpenScanJobs()) {
    if (pages <= 0) break;
    const journey = byId.get(job.journeyId);
    if (!journey || journey.live.version !== job.version) {
      await deps.store.putScanJob({ ...job, done: true });
      continue;
    }
    let current = job;
    while (!current.done && pages > 0) {
      pages -= 1;
      const page = await deps.store.scanContacts(current.cursor, SCAN_PAGE);
      report.scanned += page.contacts.length;
      let enrolled = 0;
      for (const contact of page.contacts) {
        if (current.kind === 'schedule') enrolled += await enrollScheduled(deps, journey, current, contact);
        else report.armed += await armTimeTriggers(deps, journey, contact);
      }
      report.enrolled += enrolled;
      current = {
        ...current,
        enrolled: current.enrolled + enrolled,
        done: page.cursor === undefined,
        ...(page.cursor ? { cursor: page.cursor } : {}),
      };
      if (!page.cursor) delete current.cursor;
      await deps.store.putScanJob(current);
    }
  }
  return report;
}

/** Starts schedule runs that are due and the publish-time backfill; returns how many began. */
async function startJobs(deps: SchedulerDeps, journey: Live): Promise<number> {
  const now = deps.clock.now();
  let started = 0;
  const { triggers, settings, version } = journey.live;
  const schedules = triggers.map((t, i) => [t, i] as const).filter(([t]) => t.type === 'schedule');
  if (schedules.length > 0) {
    const state = await deps.store.getScheduleState(journey.journeyId);
    let changed = false;
    for (const [trigger, index] of schedules) {
      if (trigger.type !== 'schedule') continue;
      const next = state[index];
      if (!next) {
        state[index] = nextScheduleRun(trigger, settings.timeZone, now).toISOString();
        changed = true;
      } else if (Date.parse(next) <= now.getTime()) {
        await deps.store.putScanJob({
          jobId: `schedule:${journey.journeyId}:${index}:${next}`,
          journeyId: journey.journeyId,
          version,
          kind: 'schedule',
          occurrence: next,
          trigger: index,
          done: false,
          startedAt: now.toISOString(),
          enrolled: 0,
        });
        state[index] = nextScheduleRun(trigger, settings.timeZone, now).toISOString();
        changed = true;
        started += 1;
      }
    }
    if (changed) await deps.store.setScheduleState(journey.journeyId, state);
  }
  if (triggers.some((t) => t.type === 'date' || t.type === 'inactivity')) {
    const jobId = `backfill:${journey.journeyId}:${version}`;
    if (!(await deps.store.getScanJob(jobId))) {
      await deps.store.putScanJob({
        jobId,
        journeyId: journey.journeyId,
        version,
        kind: 'backfill',
        done: false,
        startedAt: now.toISOString(),
        enrolled: 0,
      });
      started += 1;
    }
  }
  return started;
}

async function enrollScheduled(deps: SchedulerDeps, journey: Live, job: ScanJob, contact: Contact): Promise<number> {
  if (!contact.email || !job.occurrence) return 0;
  const trigger = journey.live.triggers[job.trigger ?? -1];
  if (trigger?.type !== 'schedule') return 0;
  if (trigger.audience.length > 0) {
    const needsEvents = trigger.audience.some((c) => c.kind === 'event');
    const events = needsEvents ? (await deps.store.listEvents(contact.contactId, FACT_EVENTS)).map(eventFact) : [];
    const segments = trigger.audience.some((c) => c.kind === 'segment')
      ? (await deps.store.listMemberships(contact.contactId)).map((m) => m.segmentId)
      : [];
    const facts = { ...contactFacts(contact), segments };
    if (!evaluateConditions(trigger.audience, 'all', { contact: facts, events, now: deps.clock.now() })) return 0;
  }
  const outcome = await enrollContact(deps, journey, contact.contactId, {
    type: 'schedule',
    eventId: `schedule:${job.occurrence}`,
    at: job.occurrence,
  });
  return outcome.outcome === 'enrolled' && !outcome.replay ? 1 : 0;
}

/**
 * Arms a contact's date and inactivity triggers of one journey: a due item at the next date
 * occurrence, and at the end of the current silence. Idempotent (the same item is one item).
 */
export async function armTimeTriggers(deps: SchedulerDeps, journey: Live, contact: Contact): Promise<number> {
  const now = deps.clock.now();
  let armed = 0;
  for (const [index, trigger] of journey.live.triggers.entries()) {
    const item = dueFor(trigger, index, contact, now, deps.settings.defaultTimeZone);
    if (!item) continue;
    await deps.store.putDue({ ...item, journeyId: journey.journeyId, contactId: contact.contactId });
    armed += 1;
  }
  return armed;
}

function dueFor(
  trigger: Trigger,
  index: number,
  contact: Contact,
  now: Date,
  defaultTimeZone: string,
): Omit<DueItem, 'journeyId' | 'contactId'> | undefined {
  if (trigger.type === 'date') {
    const value = contactValue({ ...contact, properties: contact.properties }, trigger.property);
    const at = nextDateOccurrence(trigger, value, contact.timeZone ?? defaultTimeZone, now);
    return at ? { dueAt: at.toISOString(), kind: 'date', trigger: index, basis: String(value) } : undefined;
  }
  if (trigger.type === 'inactivity') {
    const last = contact.lastEventAt?.[trigger.event];
    if (!last) return undefined;
    const due = inactivityDue(trigger, last);
    return {
      dueAt: (due.getTime() > now.getTime() ? due : now).toISOString(),
      kind: 'inactivity',
      trigger: index,
      basis: last,
    };
  }
  return undefined;
}

const pausedJourneys = async (deps: SchedulerDeps): Promise<Map<string, Live>> =>
  new Map(
    (await deps.store.listJourneys())
      .filter((j): j is Live => j.status === 'paused' && j.live !== undefined)
      .map((j) => [j.journeyId, j]),
  );

/**
 * A due item fires if what armed it still holds; a yearly date re-arms for the next year.
 * With `enter: false` (a paused journey) nobody enters, but the yearly date still re-arms.
 */
async function fireDue(
  deps: SchedulerDeps,
  journey: Live,
  item: DueItem,
  { enter = true }: { enter?: boolean } = {},
): Promise<{ enrolled: number; armed: number }> {
  const trigger = journey.live.triggers[item.trigger];
  const contact = await deps.store.getContact(item.contactId);
  if (!trigger || !contact || contact.mergedInto) return { enrolled: 0, armed: 0 };
  if (trigger.type === 'inactivity') {
    // A later event re-armed a later item; this one is stale. (The contact's time of the event
    // is kept a moment after the event, so a time not yet kept is not a later one.)
    if (!enter || (contact.lastEventAt?.[trigger.event] ?? '') > item.basis) return { enrolled: 0, armed: 0 };
    const outcome = await enrollContact(deps, journey, contact.contactId, {
      type: 'inactivity',
      eventId: `inactivity:${trigger.event}:${item.basis}`,
      name: trigger.event,
      at: item.dueAt,
    });
    return { enrolled: outcome.outcome === 'enrolled' && !outcome.replay ? 1 : 0, armed: 0 };
  }
  if (trigger.type === 'date') {
    const zone = contact.timeZone ?? deps.settings.defaultTimeZone;
    const value = contactValue({ ...contact, properties: contact.properties }, trigger.property);
    // The date may have changed since this was armed: fire only if this is still its occurrence.
    const occurrence = nextDateOccurrence(trigger, value, zone, new Date(Date.parse(item.dueAt) - 60_000));
    if (!occurrence || occurrence.toISOString() !== item.dueAt) return { enrolled: 0, armed: 0 };
    const outcome = enter
      ? await enrollContact(deps, journey, contact.contactId, {
          type: 'date',
          eventId: `date:${trigger.property}:${item.dueAt}`,
          at: item.dueAt,
        })
      : undefined;
    let armed = 0;
    if (trigger.repeat === 'yearly') {
      const next = nextDateOccurrence(trigger, value, zone, new Date(Date.parse(item.dueAt) + 60_000));
      if (next) {
        await deps.store.putDue({ ...item, dueAt: next.toISOString() });
        armed = 1;
      }
    }
    return { enrolled: outcome?.outcome === 'enrolled' && !outcome.replay ? 1 : 0, armed };
  }
  return { enrolled: 0, armed: 0 };
}

/** For refresh-contact, on a new or changed contact: arms every live journey's date triggers for a changed contact. */
export async function armContact(deps: SchedulerDeps, contact: Contact): Promise<number> {
  if (contact.mergedInto) return 0;
  let armed = 0;
  for (const journey of await liveJourneys(deps.store)) {
    if (journey.live.triggers.some((t) => t.type === 'date')) armed += await armTimeTriggers(deps, journey, contact);
  }
  return armed;
}
