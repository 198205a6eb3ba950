import type { Contact, Enrollment, TimelineEvent } from '#core/contact.ts';
import type {
  DueItem,
  EnrollmentCheck,
  EventWaiter,
  JourneyDraft,
  JourneySummary,
  JourneyVersion,
  OwnerTask,
  ScanJob,
} from './model.ts';
import type { DueStore, EnrollmentStore, JourneyStore, TaskStore, WaiterStore } from './store.ts';
import { firstCheckOf } from './store.ts';

const clone = <T>(value: T): T => structuredClone(value);
const key = (...parts: string[]) => parts.join('|');

/** Published journeys, drafts and summaries in memory; the simulator shares one across contacts. */
export function createMemoryJourneyStore(): JourneyStore {
  const summaries = new Map<string, JourneySummary>();
  const drafts = new Map<string, JourneyDraft>();
  const versions = new Map<string, JourneyVersion[]>();
  return {
    async getJourney(id) {
      const s = summaries.get(id);
      return s && clone(s);
    },
    async listJourneys() {
      return [...summaries.values()].map(clone);
    },
    async getDraft(id) {
      const d = drafts.get(id);
      return d && clone(d);
    },
    async saveDraft(draft, name) {
      const current = drafts.get(draft.journeyId)?.revision ?? 0;
      if (draft.revision !== current + 1) return 'conflict';
      drafts.set(draft.journeyId, clone(draft));
      const summary = summaries.get(draft.journeyId);
      if (summary)
        Object.assign(summary, {
          name,
          draftRevision: draft.revision,
          updatedAt: draft.savedAt,
          updatedBy: draft.savedBy,
        });
      else {
        summaries.set(draft.journeyId, {
          journeyId: draft.journeyId,
          name,
          status: 'draft',
          draftRevision: draft.revision,
          latestVersion: 0,
          updatedAt: draft.savedAt,
          updatedBy: draft.savedBy,
        });
      }
      return 'saved';
    },
    async publishVersion(version, summary) {
      const list = versions.get(version.journeyId) ?? [];
      if (version.version !== list.length + 1) return 'conflict';
      versions.set(version.journeyId, [...list, clone(version)]);
      summaries.set(version.journeyId, clone(summary));
      return 'published';
    },
    async getVersion(id, n) {
      const v = versions.get(id)?.[n - 1];
      return v && clone(v);
    },
    async listVersions(id) {
      return (versions.get(id) ?? []).map(clone);
    },
    async setJourneyStatus(id, status, at, by) {
      const summary = summaries.get(id);
      if (!summary) return false;
      Object.assign(summary, { status, updatedAt: at, updatedBy: by });
      return true;
    },
  };
}

interface JourneyState {
  active?: string;
  entries: number;
  lastEnteredAt?: string;
}

/**
 * Enrollments, waiters, owner tasks and the time-trigger queue in memory, with the same
 * conditional semantics as the DynamoDB adapter. `contacts` is the memory store's contact map.
 */
export function createMemoryJourneyRuntimeStores(
  contacts: Map<string, Contact>,
  /** The owning store's: a new enrollment's `journey.entered` lands with it. */
  appendEvent?: (event: TimelineEvent) => Promise<unknown>,
): EnrollmentStore & WaiterStore & TaskStore & DueStore {
  const enrollments = new Map<string, Enrollment>();
  const states = new Map<string, JourneyState>();
  const waiters = new Map<string, EventWaiter>();
  const tasks = new Map<string, OwnerTask>();
  const due = new Map<string, DueItem>();
  const schedules = new Map<string, Record<string, string>>();
  const jobs = new Map<string, ScanJob>();
  const checks = new Map<string, EnrollmentCheck>();
  const checkKey = (c: EnrollmentCheck) => key(c.at, c.contactId, c.enrollmentId);
  const dueKey = (i: DueItem) => key(i.dueAt, i.journeyId, i.contactId, String(i.trigger), i.journeyId ? '' : i.kind);
  const waiterKey = (w: Pick<EventWaiter, 'contactId' | 'event' | 'enrollmentId' | 'nodeId'>) =>
    key(w.contactId, w.event, w.enrollmentId, w.nodeId);

  return {
    async enroll(enrollment, rules) {
      const k = key(enrollment.contactId, enrollment.enrollmentId);
      const existing = enrollments.get(k);
      if (existing) return { outcome: 'exists', enrollment: clone(existing) };
      const sk = key(enrollment.contactId, enrollment.journeyId);
      const state = states.get(sk) ?? { entries: 0 };
      if (state.active) return { outcome: 'refused', reason: 'active' };
      if (rules.reentry.mode === 'never' && state.entries > 0) return { outcome: 'refused', reason: 'entered-before' };
      if (
        rules.reentry.mode === 'after-cool-off' &&
        state.lastEnteredAt &&
        Date.parse(enrollment.enteredAt) - Date.parse(state.lastEnteredAt) < (rules.coolOffMs ?? 0)
      ) {
        return { outcome: 'refused', reason: 'cooling-off' };
      }
      if (rules.maxEntries !== undefined && state.entries >= rules.maxEntries)
        return { outcome: 'refused', reason: 'max-entries' };
      enrollments.set(k, clone(enrollment));
      if (enrollment.status === 'active') {
        const check = firstCheckOf(enrollment);
        checks.set(checkKey(check), check);
      }
      states.set(sk, {
        entries: state.entries + 1,
        lastEnteredAt: enrollment.enteredAt,
        active: enrollment.status === 'active' ? enrollment.enrollmentId : undefined,
      });
      if (rules.entered) await appendEvent?.(rules.entered);
      return { outcome: 'created' };
    },
    async getEnrollment(contactId, enrollmentId) {
      const e = enrollments.get(key(contactId, enrollmentId));
      return e && clone(e);
    },
    async setExecutionArn(contactId, enrollmentId, executionArn) {
      const e = enrollments.get(key(contactId, enrollmentId));
      if (!e) throw new Error(`no enrollment ${enrollmentId}`);
      e.executionArn = executionArn;
    },
    async endEnrollment(contactId, enrollmentId, status, at, detail) {
      const e = enrollments.get(key(contactId, enrollmentId));
      if (e?.status !== 'active') return false;
      Object.assign(
        e,
        { status, endedAt: at },
        detail?.reason ? { exitReason: detail.reason } : {},
        detail?.nodeId ? { exitNodeId: detail.nodeId } : {},
      );
      const state = states.get(key(contactId, e.journeyId));
      if (state?.active === enrollmentId) delete state.active;
      return true;
    },
    async markConverted(contactId, enrollmentId, conversion, converted) {
      const e = enrollments.get(key(contactId, enrollmentId));
      if (!e || e.conversion) return false;
      e.conversion = clone(conversion);
      if (converted) await appendEvent?.(converted);
      return true;
    },
    async listEnrollments(contactId) {
      return [...enrollments.values()].filter((e) => e.contactId === contactId).map(clone);
    },
    async listEnrollmentChecks(before, limit) {
      return [...checks.values()]
        .filter((c) => c.at <= before)
        .sort((a, b) => (checkKey(a) < checkKey(b) ? -1 : 1))
        .slice(0, limit)
        .map(clone);
    },
    async putEnrollmentCheck(check) {
      checks.set(checkKey(check), clone(check));
    },
    async deleteEnrollmentCheck(check) {
      checks.delete(checkKey(check));
    },
    async moveEnrollmentCheck(done, next) {
      checks.delete(checkKey(done));
      checks.set(checkKey(next), clone(next));
    },

    async putWaiter(w) {
      waiters.set(waiterKey(w), clone(w));
    },
    async listWaiters(contactId, event) {
      return [...waiters.values()].filter((w) => w.contactId === contactId && w.event === event).map(clone);
    },
    async listEnrollmentsAndWaiters(contactId, event) {
      return {
        enrollments: [...enrollments.values()].filter((e) => e.contactId === contactId).map(clone),
        waiters: [...waiters.values()].filter((w) => w.contactId === contactId && w.event === event).map(clone),
      };
    },
    async deleteWaiter(w) {
      if (waiters.get(waiterKey(w))?.token === w.token) waiters.delete(waiterKey(w));
    },

    async putTask(task) {
      if (tasks.has(task.taskId)) return 'exists';
      tasks.set(task.taskId, clone(task));
      return 'created';
    },
    async listTasks(status) {
      return [...tasks.values()]
        .filter((t) => !status || t.status === status)
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
        .map(clone);
    },
    async completeTask(taskId, at) {
      const task = tasks.get(taskId);
      if (!task || task.status === 'done') return false;
      Object.assign(task, { status: 'done', doneAt: at });
      return true;
    },

    async putDue(items) {
      for (const item of Array.isArray(items) ? items : [items]) due.set(dueKey(item as DueItem), clone(item));
    },
    async listDue(now, limit) {
      return [...due.values()]
        .filter((i) => i.dueAt <= now)
        .sort((a, b) => a.dueAt.localeCompare(b.dueAt))
        .slice(0, limit)
        .map(clone);
    },
    async deleteDue(item) {
      due.delete(dueKey(item));
    },
    async nextDueAt() {
      let first: string | undefined;
      for (const item of due.values()) if (!first || item.dueAt < first) first = item.dueAt;
      return first;
    },
    async getScheduleState(journeyId) {
      return clone(schedules.get(journeyId) ?? {});
    },
    async setScheduleState(journeyId, nextRuns) {
      schedules.set(journeyId, clone(nextRuns));
    },
    async getScanJob(jobId) {
      const job = jobs.get(jobId);
      return job && clone(job);
    },
    async putScanJob(job) {
      jobs.set(job.jobId, clone(job));
    },
    async listOpenScanJobs() {
      return [...jobs.values()].filter((j) => !j.done).map(clone);
    },
    async scanContacts(cursor, limit) {
      const ids = [...contacts.keys()].sort();
      const start = cursor ? ids.findIndex((id) => id > cursor) : 0;
      const page = start === -1 ? [] : ids.slice(start, start + limit);
      const list = page.map((id) => contacts.get(id) as Contact).filter((c) => !c.mergedInto);
      const last = page[page.length - 1];
      return { contacts: list.map(clone), cursor: page.length === limit && last ? last : undefined };
    },
    async touchLastEvents(contactId, latest) {
      const contact = contacts.get(contactId);
      if (!contact) return;
      for (const [name, at] of Object.entries(latest)) {
        const current = contact.lastEventAt?.[name];
        if (!current || current < at) contact.lastEventAt = { ...contact.lastEventAt, [name]: at };
      }
    },
  };
}
