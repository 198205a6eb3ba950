import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Contact, Enrollment } from '#core/contact.ts';
import type { TendStore } from '#platform/store.ts';
import { journeySchema } from '#workflows/journey.schema.ts';
import type {
  DueItem,
  EntryRules,
  EventWaiter,
  JourneyDraft,
  JourneySummary,
  JourneyVersion,
  OwnerTask,
  ScanJob,
} from './store.ts';

/**
 * One contract for the journey storage ports (JourneyStore, EnrollmentStore with its checks,
 * WaiterStore, TaskStore, DueStore), run against every adapter. A store may be shared by concurrent tests, so
 * every test works on its own random ids and asserts only on those; due times lie centuries
 * ahead, where no real scheduler looks; and the journeys published here trigger on an event
 * nothing sends, so routing never enrolls anyone in them.
 */
export interface ContractOptions {
  /** Contacts per scanContacts page: small to force paging, larger over a big shared table. */
  scanPageSize: number;
}

/** Races are won by timing: several run at once so that a wrong interleaving shows up. */
const RACES = 8;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

const uid = (tag: string) => `${tag}-${randomUUID().slice(0, 8)}`;
const iso = (ms: number) => new Date(ms).toISOString();
const byId = <T extends { [k in K]: string }, K extends keyof T>(list: T[], key: K, ids: string[]) =>
  list.filter((x) => ids.includes(x[key]));

/** A random whole hour in the 2900s: far from real time and from other tests' hours. */
const farHour = () =>
  Date.UTC(2900 + Math.floor(Math.random() * 90), Math.floor(Math.random() * 12), 1 + Math.floor(Math.random() * 27));

const documentOf = (journeyId: string, name: string) =>
  journeySchema.parse({
    schemaVersion: 1,
    id: journeyId,
    name,
    triggers: [{ type: 'event', event: 'contract.never-sent' }],
    start: 'done',
    nodes: { done: { type: 'exit' } },
  });

const draftOf = (journeyId: string, revision: number, name = 'Welcome'): JourneyDraft => ({
  journeyId,
  revision,
  document: documentOf(journeyId, name),
  savedAt: `2026-01-0${revision}T10:00:00.000Z`,
  savedBy: `editor-${revision}`,
});

const arnOf = (journeyId: string) => `arn:aws:states:us-east-1:000000000000:stateMachine:tend-${journeyId}`;

const versionOf = (journeyId: string, version: number): JourneyVersion => ({
  journeyId,
  version,
  document: documentOf(journeyId, `Welcome v${version}`),
  definition: JSON.stringify({ StartAt: 'done', States: { done: { Type: 'Succeed' } }, Comment: `v${version}` }),
  versionArn: `${arnOf(journeyId)}:${version}`,
  stateMachineArn: arnOf(journeyId),
  publishedAt: `2026-02-0${version}T10:00:00.000Z`,
  publishedBy: 'publisher',
  diff: [`version ${version}`],
  transitions: { min: 1, max: version },
});

const summaryOf = (journeyId: string, version: number): JourneySummary => {
  const document = documentOf(journeyId, `Welcome v${version}`);
  return {
    journeyId,
    name: document.name,
    status: 'live',
    draftRevision: 1,
    latestVersion: version,
    live: {
      version,
      versionArn: `${arnOf(journeyId)}:${version}`,
      triggers: document.triggers,
      settings: { reentry: document.settings.reentry, holdoutPercent: 0, timeZone: 'UTC' },
    },
    stateMachineArn: arnOf(journeyId),
    aliasArn: `${arnOf(journeyId)}:live`,
    updatedAt: `2026-02-0${version}T10:00:00.000Z`,
    updatedBy: 'publisher',
  };
};

const enrollmentOf = (
  contactId: string,
  journeyId: string,
  over: Partial<Enrollment> & Pick<Enrollment, 'enteredAt'>,
): Enrollment => {
  const enrollmentId = over.enrollmentId ?? uid('enr');
  return {
    enrollmentId,
    contactId,
    journeyId,
    journeyVersion: 1,
    triggerEventId: `evt-${enrollmentId}`,
    trigger: { type: 'event', eventId: `evt-${enrollmentId}`, name: 'form.submitted', at: over.enteredAt },
    status: 'active',
    ...over,
  };
};

const always: EntryRules = { reentry: { mode: 'always' } };
const once: EntryRules = { reentry: { mode: 'never' } };
const coolOffDay: EntryRules = { reentry: { mode: 'after-cool-off', coolOff: { days: 1 } }, coolOffMs: DAY_MS };

const contactOf = (contactId: string, over: Partial<Contact> = {}): Contact => ({
  contactId,
  email: `${contactId}@example.com`,
  properties: {},
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  createdBy: `inbox-${contactId}`,
  ...over,
});

const firstEventOf = (contactId: string) => ({
  eventId: `evt-created-${contactId}`,
  contactId,
  name: 'contact.created' as const,
  at: '2026-01-01T00:00:00.000Z',
  data: {},
});

/** Runs the journey storage contract against the stores `makeStore` returns. */
export function journeyStoreContract(
  name: string,
  makeStore: () => TendStore | Promise<TendStore>,
  options: ContractOptions,
) {
  describe(`journey stores (${name})`, () => {
    describe('journeys', () => {
      it('creates the summary as a draft on the first save and renames it on later saves', async () => {
        const store = await makeStore();
        const journeyId = uid('j');

        expect(await store.saveDraft(draftOf(journeyId, 1), 'First name')).toBe('saved');
        expect(await store.getJourney(journeyId)).toEqual({
          journeyId,
          name: 'First name',
          status: 'draft',
          draftRevision: 1,
          latestVersion: 0,
          updatedAt: draftOf(journeyId, 1).savedAt,
          updatedBy: 'editor-1',
        });
        expect(await store.saveDraft(draftOf(journeyId, 2, 'Renamed'), 'Second name')).toBe('saved');

        expect(await store.getDraft(journeyId)).toEqual(draftOf(journeyId, 2, 'Renamed'));
        expect(await store.getJourney(journeyId)).toMatchObject({
          name: 'Second name',
          status: 'draft',
          draftRevision: 2,
          latestVersion: 0,
          updatedAt: draftOf(journeyId, 2).savedAt,
          updatedBy: 'editor-2',
        });
        expect((await store.listJourneys()).filter((j) => j.journeyId === journeyId)).toHaveLength(1);
      });

      it('refuses a draft whose revision is not the stored one plus one, and keeps what was stored', async () => {
        const store = await makeStore();
        const journeyId = uid('j');
        const fresh = uid('j');

        expect(await store.saveDraft(draftOf(fresh, 2), 'Skipped a revision')).toBe('conflict');
        expect(await store.saveDraft(draftOf(journeyId, 1), 'Kept')).toBe('saved');
        const stored = await store.getJourney(journeyId);
        expect(await store.saveDraft(draftOf(journeyId, 1, 'Again'), 'Lost update')).toBe('conflict');
        expect(await store.saveDraft(draftOf(journeyId, 3, 'Ahead'), 'Lost update')).toBe('conflict');

        expect(await store.getDraft(fresh)).toBeUndefined();
        expect(await store.getJourney(fresh)).toBeUndefined();
        expect(await store.getDraft(journeyId)).toEqual(draftOf(journeyId, 1));
        expect(await store.getJourney(journeyId)).toEqual(stored);
      });

      it('publishes version n only when the latest is n - 1', async () => {
        const store = await makeStore();
        const journeyId = uid('j');
        await store.saveDraft(draftOf(journeyId, 1), 'Welcome');

        expect(await store.publishVersion(versionOf(journeyId, 2), summaryOf(journeyId, 2))).toBe('conflict');
        expect(await store.publishVersion(versionOf(journeyId, 1), summaryOf(journeyId, 1))).toBe('published');
        expect(await store.publishVersion(versionOf(journeyId, 1), summaryOf(journeyId, 1))).toBe('conflict');
        expect(await store.publishVersion(versionOf(journeyId, 3), summaryOf(journeyId, 3))).toBe('conflict');
        expect(await store.publishVersion(versionOf(journeyId, 2), summaryOf(journeyId, 2))).toBe('published');

        expect(await store.getJourney(journeyId)).toEqual(summaryOf(journeyId, 2));
      });

      it('changes neither the versions nor the summary when a publication conflicts', async () => {
        const store = await makeStore();
        const journeyId = uid('j');
        await store.publishVersion(versionOf(journeyId, 1), summaryOf(journeyId, 1));
        const replaced = { ...versionOf(journeyId, 1), definition: '{"changed":true}' };
        const ahead = { ...summaryOf(journeyId, 2), name: 'Should not land' };

        expect(await store.publishVersion(replaced, { ...summaryOf(journeyId, 1), name: 'Nope' })).toBe('conflict');
        expect(await store.publishVersion(versionOf(journeyId, 3), ahead)).toBe('conflict');

        expect(await store.getVersion(journeyId, 1)).toEqual(versionOf(journeyId, 1));
        expect(await store.getVersion(journeyId, 3)).toBeUndefined();
        expect(await store.getJourney(journeyId)).toEqual(summaryOf(journeyId, 1));
        expect(await store.listVersions(journeyId)).toHaveLength(1);
      });

      it('saves one of two drafts racing for the same revision and refuses the other', async () => {
        const store = await makeStore();

        await Promise.all(
          Array.from({ length: RACES }, async () => {
            const journeyId = uid('j');
            await store.saveDraft(draftOf(journeyId, 1), 'Welcome');

            const outcomes = await Promise.all([
              store.saveDraft(draftOf(journeyId, 2, 'Mine'), 'Mine'),
              store.saveDraft(draftOf(journeyId, 2, 'Theirs'), 'Theirs'),
            ]);

            expect(outcomes.sort()).toEqual(['conflict', 'saved']);
            const [draft, summary] = await Promise.all([store.getDraft(journeyId), store.getJourney(journeyId)]);
            expect(draft?.revision).toBe(2);
            expect(summary?.name).toBe(draft?.document.name);
          }),
        );
      });

      it('publishes one of two versions racing for the same number and refuses the other', async () => {
        const store = await makeStore();

        await Promise.all(
          Array.from({ length: RACES }, async () => {
            const journeyId = uid('j');
            const theirs = { ...versionOf(journeyId, 1), definition: '{"theirs":true}' };

            const outcomes = await Promise.all([
              store.publishVersion(versionOf(journeyId, 1), summaryOf(journeyId, 1)),
              store.publishVersion(theirs, { ...summaryOf(journeyId, 1), updatedBy: 'them' }),
            ]);

            expect(outcomes.sort()).toEqual(['conflict', 'published']);
            const [stored] = await store.listVersions(journeyId);
            const summary = await store.getJourney(journeyId);
            expect(summary?.updatedBy).toBe(stored?.definition === theirs.definition ? 'them' : 'publisher');
          }),
        );
      });

      it('lists versions oldest first and reads each one', async () => {
        const store = await makeStore();
        const journeyId = uid('j');
        for (let n = 1; n <= 3; n++) await store.publishVersion(versionOf(journeyId, n), summaryOf(journeyId, n));

        expect(await store.listVersions(journeyId)).toEqual([1, 2, 3].map((n) => versionOf(journeyId, n)));
        expect(await store.getVersion(journeyId, 2)).toEqual(versionOf(journeyId, 2));
        expect(await store.getVersion(journeyId, 4)).toBeUndefined();
        expect(await store.listVersions(uid('j'))).toEqual([]);
      });

      it('moves a stored journey between statuses and answers false for a missing one', async () => {
        const store = await makeStore();
        const journeyId = uid('j');
        await store.publishVersion(versionOf(journeyId, 1), summaryOf(journeyId, 1));

        expect(await store.setJourneyStatus(journeyId, 'paused', '2026-03-01T00:00:00.000Z', 'operator')).toBe(true);
        const missing = uid('j');
        expect(await store.setJourneyStatus(missing, 'paused', '2026-03-01T00:00:00.000Z', 'operator')).toBe(false);

        expect(await store.getJourney(journeyId)).toEqual({
          ...summaryOf(journeyId, 1),
          status: 'paused',
          updatedAt: '2026-03-01T00:00:00.000Z',
          updatedBy: 'operator',
        });
        expect(await store.getJourney(missing)).toBeUndefined();
      });
    });

    describe('enrollments', () => {
      const t0 = Date.parse('2026-04-01T10:00:00.000Z');

      it('creates an enrollment and answers a replay with the enrollment as stored', async () => {
        const store = await makeStore();
        const [contactId, journeyId] = [uid('c'), uid('j')];
        const first = enrollmentOf(contactId, journeyId, { enteredAt: iso(t0) });

        expect(await store.enroll(first, always)).toEqual({ outcome: 'created' });
        const replay = { ...first, enteredAt: iso(t0 + 5_000), journeyVersion: 2 };
        expect(await store.enroll(replay, always)).toEqual({ outcome: 'exists', enrollment: first });
        await store.endEnrollment(contactId, first.enrollmentId, 'completed', iso(t0 + 60_000));
        const ended = { ...first, status: 'completed', endedAt: iso(t0 + 60_000) };

        expect(await store.enroll(replay, always)).toEqual({ outcome: 'exists', enrollment: ended });
        expect(await store.getEnrollment(contactId, first.enrollmentId)).toEqual(ended);
        expect(await store.listEnrollments(contactId)).toEqual([ended]);
      });

      it('refuses a second active enrollment of the same contact and journey until the first ends', async () => {
        const store = await makeStore();
        const [contactId, journeyId, otherJourney] = [uid('c'), uid('j'), uid('j')];
        const first = enrollmentOf(contactId, journeyId, { enteredAt: iso(t0) });
        await store.enroll(first, always);

        const second = enrollmentOf(contactId, journeyId, { enteredAt: iso(t0 + 1_000) });
        expect(await store.enroll(second, always)).toEqual({ outcome: 'refused', reason: 'active' });
        const elsewhere = enrollmentOf(contactId, otherJourney, { enteredAt: iso(t0 + 1_000) });
        expect(await store.enroll(elsewhere, always)).toEqual({ outcome: 'created' });
        expect(await store.endEnrollment(contactId, first.enrollmentId, 'exited', iso(t0 + 2_000))).toBe(true);
        const third = enrollmentOf(contactId, journeyId, { enteredAt: iso(t0 + 3_000) });

        expect(await store.enroll(third, always)).toEqual({ outcome: 'created' });
        expect(await store.getEnrollment(contactId, second.enrollmentId)).toBeUndefined();
        const active = (await store.listEnrollments(contactId)).filter((e) => e.status === 'active');
        expect(active.map((e) => e.enrollmentId).sort()).toEqual([elsewhere.enrollmentId, third.enrollmentId].sort());
      });

      it('refuses a contact who entered before when re-entry is never allowed', async () => {
        const store = await makeStore();
        const [contactId, journeyId] = [uid('c'), uid('j')];
        const first = enrollmentOf(contactId, journeyId, { enteredAt: iso(t0) });
        await store.enroll(first, once);
        await store.endEnrollment(contactId, first.enrollmentId, 'completed', iso(t0 + 1_000));

        const again = enrollmentOf(contactId, journeyId, { enteredAt: iso(t0 + 30 * DAY_MS) });

        expect(await store.enroll(again, once)).toEqual({ outcome: 'refused', reason: 'entered-before' });
        expect(await store.listEnrollments(contactId)).toHaveLength(1);
      });

      it('refuses re-entry inside the cool-off, counted from the last enteredAt, and accepts it after', async () => {
        const store = await makeStore();
        const [contactId, journeyId] = [uid('c'), uid('j')];
        const first = enrollmentOf(contactId, journeyId, { enteredAt: iso(t0) });
        await store.enroll(first, coolOffDay);
        await store.endEnrollment(contactId, first.enrollmentId, 'completed', iso(t0 + 60_000));

        const early = enrollmentOf(contactId, journeyId, { enteredAt: iso(t0 + DAY_MS - 1) });
        expect(await store.enroll(early, coolOffDay)).toEqual({ outcome: 'refused', reason: 'cooling-off' });
        const onTime = enrollmentOf(contactId, journeyId, { enteredAt: iso(t0 + DAY_MS) });
        expect(await store.enroll(onTime, coolOffDay)).toEqual({ outcome: 'created' });
        await store.endEnrollment(contactId, onTime.enrollmentId, 'completed', iso(t0 + DAY_MS + 60_000));

        // The cool-off restarts at the newest entry, not the first.
        const tooSoon = enrollmentOf(contactId, journeyId, { enteredAt: iso(t0 + 1.5 * DAY_MS) });
        expect(await store.enroll(tooSoon, coolOffDay)).toEqual({ outcome: 'refused', reason: 'cooling-off' });
      });

      it('refuses entries beyond maxEntries', async () => {
        const store = await makeStore();
        const [contactId, journeyId] = [uid('c'), uid('j')];
        const rules: EntryRules = { ...always, maxEntries: 2 };
        for (let n = 0; n < 2; n++) {
          const e = enrollmentOf(contactId, journeyId, { enteredAt: iso(t0 + n * DAY_MS) });
          expect(await store.enroll(e, rules)).toEqual({ outcome: 'created' });
          await store.endEnrollment(contactId, e.enrollmentId, 'completed', iso(t0 + n * DAY_MS + 1_000));
        }

        const third = enrollmentOf(contactId, journeyId, { enteredAt: iso(t0 + 5 * DAY_MS) });

        expect(await store.enroll(third, rules)).toEqual({ outcome: 'refused', reason: 'max-entries' });
        expect(await store.listEnrollments(contactId)).toHaveLength(2);
      });

      it('counts a holdout as an entry without taking the active slot', async () => {
        const store = await makeStore();
        const [contactId, journeyId] = [uid('c'), uid('j')];
        const holdout = enrollmentOf(contactId, journeyId, { enteredAt: iso(t0), status: 'holdout' });
        expect(await store.enroll(holdout, always)).toEqual({ outcome: 'created' });

        const next = enrollmentOf(contactId, journeyId, { enteredAt: iso(t0 + 1_000) });
        expect(await store.enroll(next, { ...always, maxEntries: 2 })).toEqual({ outcome: 'created' });
        await store.endEnrollment(contactId, next.enrollmentId, 'completed', iso(t0 + 2_000));
        const third = enrollmentOf(contactId, journeyId, { enteredAt: iso(t0 + 3_000) });

        expect(await store.enroll(third, { ...always, maxEntries: 2 })).toEqual({
          outcome: 'refused',
          reason: 'max-entries',
        });
        const otherContact = uid('c');
        await store.enroll(enrollmentOf(otherContact, journeyId, { enteredAt: iso(t0), status: 'holdout' }), once);
        expect(await store.enroll(enrollmentOf(otherContact, journeyId, { enteredAt: iso(t0 + 1) }), once)).toEqual({
          outcome: 'refused',
          reason: 'entered-before',
        });
        expect(await store.getEnrollment(contactId, holdout.enrollmentId)).toEqual(holdout);
      });

      it('lets exactly one of two concurrent triggers enroll a contact', async () => {
        const store = await makeStore();
        const journeyId = uid('j');

        await Promise.all(
          Array.from({ length: RACES }, async () => {
            const contactId = uid('c');
            const a = enrollmentOf(contactId, journeyId, { enteredAt: iso(t0) });
            const b = enrollmentOf(contactId, journeyId, { enteredAt: iso(t0) });

            const outcomes = await Promise.all([store.enroll(a, always), store.enroll(b, always)]);

            expect(outcomes.map((o) => o.outcome).sort()).toEqual(['created', 'refused']);
            expect(outcomes.find((o) => o.outcome === 'refused')).toEqual({ outcome: 'refused', reason: 'active' });
            const stored = await store.listEnrollments(contactId);
            expect(stored).toHaveLength(1);
            expect(stored[0]?.status).toBe('active');
          }),
        );
      });

      it('answers the same trigger delivered twice at once with one creation and one replay', async () => {
        const store = await makeStore();
        const journeyId = uid('j');

        await Promise.all(
          Array.from({ length: RACES }, async () => {
            const e = enrollmentOf(uid('c'), journeyId, { enteredAt: iso(t0) });

            const outcomes = await Promise.all([store.enroll(e, always), store.enroll({ ...e }, always)]);

            expect(outcomes.map((o) => o.outcome).sort()).toEqual(['created', 'exists']);
            expect(await store.listEnrollments(e.contactId)).toEqual([e]);
          }),
        );
      });

      it('ends an enrollment once, recording why and where, and frees the slot', async () => {
        const store = await makeStore();
        const [contactId, journeyId] = [uid('c'), uid('j')];
        const e = enrollmentOf(contactId, journeyId, { enteredAt: iso(t0) });
        await store.enroll(e, always);
        const detail = { reason: 'exit-rule', nodeId: 'wait-a-day' };

        expect(await store.endEnrollment(contactId, e.enrollmentId, 'exited', iso(t0 + 1_000), detail)).toBe(true);
        expect(await store.endEnrollment(contactId, e.enrollmentId, 'completed', iso(t0 + 2_000))).toBe(false);
        expect(await store.endEnrollment(contactId, uid('enr'), 'completed', iso(t0 + 2_000))).toBe(false);

        expect(await store.getEnrollment(contactId, e.enrollmentId)).toEqual({
          ...e,
          status: 'exited',
          endedAt: iso(t0 + 1_000),
          exitReason: 'exit-rule',
          exitNodeId: 'wait-a-day',
        });
        const next = enrollmentOf(contactId, journeyId, { enteredAt: iso(t0 + 3_000) });
        expect(await store.enroll(next, always)).toEqual({ outcome: 'created' });
      });

      it('ends an enrollment once when two ends race, and frees the slot', async () => {
        const store = await makeStore();
        const journeyId = uid('j');

        await Promise.all(
          Array.from({ length: RACES }, async () => {
            const contactId = uid('c');
            const e = enrollmentOf(contactId, journeyId, { enteredAt: iso(t0) });
            await store.enroll(e, always);

            const ended = await Promise.all([
              store.endEnrollment(contactId, e.enrollmentId, 'completed', iso(t0 + 1_000)),
              store.endEnrollment(contactId, e.enrollmentId, 'exited', iso(t0 + 1_000), { reason: 'exit-rule' }),
            ]);

            expect(ended.sort()).toEqual([false, true]);
            const next = enrollmentOf(contactId, journeyId, { enteredAt: iso(t0 + 2_000) });
            expect(await store.enroll(next, always)).toEqual({ outcome: 'created' });
          }),
        );
      });

      it('records the first conversion of an enrollment only', async () => {
        const store = await makeStore();
        const [contactId, journeyId] = [uid('c'), uid('j')];
        const e = enrollmentOf(contactId, journeyId, { enteredAt: iso(t0) });
        await store.enroll(e, always);
        const first = {
          at: iso(t0 + 1_000),
          goal: 'order.placed',
          eventId: 'evt-order-1',
          revenue: { amountMinor: 4450, currency: 'EUR' },
        };

        expect(await store.markConverted(contactId, e.enrollmentId, first)).toBe(true);
        expect(await store.markConverted(contactId, e.enrollmentId, { at: iso(t0 + 2_000), goal: 'again' })).toBe(
          false,
        );
        expect(await store.markConverted(contactId, uid('enr'), first)).toBe(false);

        expect((await store.getEnrollment(contactId, e.enrollmentId))?.conversion).toEqual(first);
      });

      it("writes a conversion's timeline event with it, and neither a second time", async () => {
        const store = await makeStore();
        const [contactId, journeyId] = [uid('c'), uid('j')];
        const e = enrollmentOf(contactId, journeyId, { enteredAt: iso(t0) });
        await store.enroll(e, always);
        const converted = (goal: string) => ({
          eventId: `journey.converted:${e.enrollmentId}`,
          contactId,
          name: 'journey.converted' as const,
          at: iso(t0 + 1_000),
          data: { journeyId, enrollmentId: e.enrollmentId, goal },
        });

        expect(
          await store.markConverted(contactId, e.enrollmentId, { at: iso(t0 + 1_000), goal: 'a' }, converted('a')),
        ).toBe(true);
        expect(
          await store.markConverted(contactId, e.enrollmentId, { at: iso(t0 + 2_000), goal: 'b' }, converted('b')),
        ).toBe(false);

        expect((await store.getEvent(contactId, `journey.converted:${e.enrollmentId}`))?.data).toMatchObject({
          goal: 'a',
        });
      });

      it('keeps the execution ARN of an enrollment', async () => {
        const store = await makeStore();
        const [contactId, journeyId] = [uid('c'), uid('j')];
        const e = enrollmentOf(contactId, journeyId, { enteredAt: iso(t0) });
        await store.enroll(e, always);

        await store.setExecutionArn(contactId, e.enrollmentId, `${arnOf(journeyId)}:exec`);

        expect(await store.getEnrollment(contactId, e.enrollmentId)).toEqual({
          ...e,
          executionArn: `${arnOf(journeyId)}:exec`,
        });
      });
    });

    describe('enrollment checks', () => {
      it('queues the first check of an active enrollment with it, and none for a holdout', async () => {
        const store = await makeStore();
        const [contactId, journeyId, otherJourney] = [uid('c'), uid('j'), uid('j')];
        const enteredAt = iso(farHour());
        const active = enrollmentOf(contactId, journeyId, { enteredAt });
        const holdout = enrollmentOf(contactId, otherJourney, { enteredAt, status: 'holdout' });

        await store.enroll(active, always);
        await store.enroll(holdout, always);

        const mine = (await store.listEnrollmentChecks(enteredAt, 1_000)).filter((c) => c.contactId === contactId);
        expect(mine).toEqual([{ at: enteredAt, contactId, enrollmentId: active.enrollmentId, journeyId, checks: 0 }]);
      });

      it('lists the checks due by a time, oldest first, up to the limit, and forgets a deleted one', async () => {
        const store = await makeStore();
        const [contactId, journeyId] = [uid('c'), uid('j')];
        const hour = farHour();
        const checkAt = (ms: number, n: number) => ({
          at: iso(hour + ms),
          contactId,
          enrollmentId: `enr-${n}`,
          journeyId,
          checks: n,
        });
        const [first, second, later] = [checkAt(0, 1), checkAt(1_000, 2), checkAt(60_000, 3)];
        for (const check of [later, second, first, second]) await store.putEnrollmentCheck(check);
        const listed = async (before: string) =>
          (await store.listEnrollmentChecks(before, 1_000)).filter((c) => c.contactId === contactId);

        expect(await listed(second.at)).toEqual([first, second]);
        expect(await store.listEnrollmentChecks(second.at, 1)).toHaveLength(1);
        await store.deleteEnrollmentCheck(first);
        expect(await listed(later.at)).toEqual([second, later]);
        // The next look at an enrollment replaces its check.
        const next = { ...second, at: iso(hour + 120_000), checks: 3 };
        await store.moveEnrollmentCheck(second, next);
        expect(await listed(next.at)).toEqual([later, next]);
      });
    });

    describe('event waiters', () => {
      const waiterOf = (contactId: string, over: Partial<EventWaiter> = {}): EventWaiter => ({
        contactId,
        event: 'order.placed',
        enrollmentId: 'enr-1',
        nodeId: 'wait-order',
        journeyId: 'abandoned-cart',
        token: 'token-1',
        where: [{ path: 'total.amountMinor', op: 'gt', value: 0 }],
        correlation: { key: 'cartId', value: 'cart-1' },
        since: '2026-05-01T00:00:00.000Z',
        expiresAt: 1_900_000_000,
        ...over,
      });

      it('replaces the waiter of the same enrollment and node', async () => {
        const store = await makeStore();
        const contactId = uid('c');
        await store.putWaiter(waiterOf(contactId));
        const replacement = waiterOf(contactId, { token: 'token-2', since: '2026-05-02T00:00:00.000Z' });

        await store.putWaiter(replacement);
        await store.putWaiter(waiterOf(contactId, { nodeId: 'wait-again', token: 'token-3' }));

        const listed = await store.listWaiters(contactId, 'order.placed');
        expect(listed.sort((a, b) => a.nodeId.localeCompare(b.nodeId))).toEqual([
          waiterOf(contactId, { nodeId: 'wait-again', token: 'token-3' }),
          replacement,
        ]);
      });

      it('lists only the waiters of the given contact and event, whole, expiry included', async () => {
        const store = await makeStore();
        const [contactId, other] = [uid('c'), uid('c')];
        const wanted = waiterOf(contactId);
        await store.putWaiter(wanted);
        await store.putWaiter(waiterOf(contactId, { event: 'order.refunded', enrollmentId: 'enr-2' }));
        // A name that extends the wanted one, separator included, is still another event.
        await store.putWaiter(waiterOf(contactId, { event: 'order.placed#gift', enrollmentId: 'enr-3' }));
        await store.putWaiter(waiterOf(other));

        expect(await store.listWaiters(contactId, 'order.placed')).toEqual([wanted]);
        expect(await store.listWaiters(contactId, 'email.opened')).toEqual([]);
      });

      it("lists the contact's enrollments with its waiters for an event, and enrollments without waiters", async () => {
        const store = await makeStore();
        const [contactId, journeyId] = [uid('c'), uid('j')];
        const e = enrollmentOf(contactId, journeyId, { enteredAt: '2026-05-01T00:00:00.000Z' });
        await store.enroll(e, always);
        const waiting = waiterOf(contactId, { enrollmentId: e.enrollmentId, journeyId });
        await store.putWaiter(waiting);
        await store.putWaiter(
          waiterOf(contactId, { event: 'order.refunded', enrollmentId: e.enrollmentId, journeyId }),
        );

        const both = await store.listEnrollmentsAndWaiters(contactId, 'order.placed');

        expect(both.enrollments.map((x) => x.enrollmentId)).toEqual([e.enrollmentId]);
        expect(both.waiters).toEqual([waiting]);
        expect((await store.listEnrollments(contactId)).map((x) => x.enrollmentId)).toEqual([e.enrollmentId]);
        expect(await store.getEnrollment(contactId, e.enrollmentId)).toEqual(
          (await store.listEnrollments(contactId))[0],
        );
      });

      it('deletes a waiter only while it holds the given token', async () => {
        const store = await makeStore();
        const contactId = uid('c');
        await store.putWaiter(waiterOf(contactId, { token: 'token-new' }));

        await store.deleteWaiter(waiterOf(contactId, { token: 'token-old' }));
        expect(await store.listWaiters(contactId, 'order.placed')).toHaveLength(1);
        await store.deleteWaiter(waiterOf(contactId, { token: 'token-new' }));

        expect(await store.listWaiters(contactId, 'order.placed')).toEqual([]);
      });
    });

    describe('owner tasks', () => {
      const taskOf = (over: Partial<OwnerTask> = {}): OwnerTask => ({
        taskId: uid('task'),
        contactId: 'c-1',
        journeyId: 'vip',
        enrollmentId: 'enr-1',
        nodeId: 'call-them',
        subject: 'Call a new VIP',
        message: 'Say thanks',
        createdAt: '2026-06-01T10:00:00.000Z',
        status: 'open',
        ...over,
      });

      it('creates a task once', async () => {
        const store = await makeStore();
        const task = taskOf();

        expect(await store.putTask(task)).toBe('created');
        expect(await store.putTask({ ...task, subject: 'Replaced?' })).toBe('exists');

        expect(byId(await store.listTasks(), 'taskId', [task.taskId])).toEqual([task]);
      });

      it('lists tasks by status, newest first', async () => {
        const store = await makeStore();
        const old = taskOf({ createdAt: '2026-06-01T10:00:00.000Z' });
        const newest = taskOf({ createdAt: '2026-06-03T10:00:00.000Z' });
        const middle = taskOf({ createdAt: '2026-06-02T10:00:00.000Z' });
        const done = taskOf({
          createdAt: '2026-06-04T10:00:00.000Z',
          status: 'done',
          doneAt: '2026-06-05T10:00:00.000Z',
        });
        for (const t of [old, newest, middle, done]) await store.putTask(t);
        const ids = [old, newest, middle, done].map((t) => t.taskId);

        expect(byId(await store.listTasks('open'), 'taskId', ids)).toEqual([newest, middle, old]);
        expect(byId(await store.listTasks('done'), 'taskId', ids)).toEqual([done]);
        expect(byId(await store.listTasks(), 'taskId', ids)).toEqual([done, newest, middle, old]);
      });

      it('completes a task once', async () => {
        const store = await makeStore();
        const task = taskOf();
        await store.putTask(task);

        expect(await store.completeTask(task.taskId, '2026-06-02T00:00:00.000Z')).toBe(true);
        expect(await store.completeTask(task.taskId, '2026-06-03T00:00:00.000Z')).toBe(false);
        expect(await store.completeTask(uid('task'), '2026-06-03T00:00:00.000Z')).toBe(false);

        expect(byId(await store.listTasks('done'), 'taskId', [task.taskId])).toEqual([
          { ...task, status: 'done', doneAt: '2026-06-02T00:00:00.000Z' },
        ]);
        expect(byId(await store.listTasks('open'), 'taskId', [task.taskId])).toEqual([]);
      });
    });

    describe('time-trigger queue', () => {
      const dueOf = (dueAt: number, over: Partial<DueItem> = {}): DueItem => ({
        dueAt: iso(dueAt),
        kind: 'inactivity',
        journeyId: 'win-back',
        contactId: uid('c'),
        trigger: 0,
        basis: '2026-01-01T00:00:00.000Z',
        ...over,
      });
      const mine = (items: DueItem[], own: DueItem[]) =>
        items.filter((i) => own.some((o) => o.contactId === i.contactId && o.journeyId === i.journeyId));
      const BIG = 10_000;

      it('lists only the items due at or before now, oldest first, across hour buckets', async () => {
        const store = await makeStore();
        const base = farHour();
        const now = base + 3 * HOUR_MS + 30 * 60_000;
        const items = [
          dueOf(base + 2 * HOUR_MS + 5 * 60_000),
          dueOf(base),
          dueOf(now),
          dueOf(base + 3 * HOUR_MS + 1),
          dueOf(now + 1),
          dueOf(base + 4 * HOUR_MS),
          dueOf(base + 40 * DAY_MS),
        ];
        for (const item of items) await store.putDue(item);

        const due = await store.listDue(iso(now), BIG);

        expect(mine(due, items)).toEqual([items[1], items[0], items[3], items[2]]);
        expect(due.every((d) => d.dueAt <= iso(now))).toBe(true);
        expect(due.map((d) => d.dueAt)).toEqual(due.map((d) => d.dueAt).sort());
      });

      it('finds items queued for hours before the last sweep, however far back', async () => {
        const store = await makeStore();
        const base = farHour();
        const now = base + 2 * HOUR_MS;
        const swept = dueOf(base + HOUR_MS);
        await store.putDue(swept);
        expect(mine(await store.listDue(iso(now), BIG), [swept])).toEqual([swept]);
        await store.deleteDue(swept);
        expect(mine(await store.listDue(iso(now), BIG), [swept])).toEqual([]);

        const lastHour = dueOf(base - HOUR_MS);
        const lastMonth = dueOf(base - 30 * DAY_MS);
        const lastYear = dueOf(base - 365 * DAY_MS);
        for (const item of [lastHour, lastMonth, lastYear]) await store.putDue(item);

        expect(mine(await store.listDue(iso(now), BIG), [lastHour, lastMonth, lastYear])).toEqual([
          lastYear,
          lastMonth,
          lastHour,
        ]);
      });

      it('finds items due long after the previous ones, past empty hours', async () => {
        const store = await makeStore();
        const base = farHour();
        const first = dueOf(base);
        const later = dueOf(base + 90 * DAY_MS);
        await store.putDue(first);
        await store.putDue(later);

        expect(mine(await store.listDue(iso(base + HOUR_MS), BIG), [first, later])).toEqual([first]);
        await store.deleteDue(first);

        expect(mine(await store.listDue(iso(base + 90 * DAY_MS), BIG), [first, later])).toEqual([later]);
      });

      it('keeps one item when the same item is queued twice', async () => {
        const store = await makeStore();
        const base = farHour();
        const item = dueOf(base);
        const sameContextOtherTime = { ...item, dueAt: iso(base + 60_000) };

        await store.putDue(item);
        await store.putDue({ ...item });
        await store.putDue(sameContextOtherTime);

        expect(mine(await store.listDue(iso(base + HOUR_MS), BIG), [item])).toEqual([item, sameContextOtherTime]);
      });

      it('drops a deleted item and keeps the others', async () => {
        const store = await makeStore();
        const base = farHour();
        const keep = dueOf(base);
        const drop = dueOf(base + 60_000);
        await store.putDue(keep);
        await store.putDue(drop);

        await store.deleteDue(drop);

        expect(mine(await store.listDue(iso(base + HOUR_MS), BIG), [keep, drop])).toEqual([keep]);
      });

      it('returns no more items than the limit', async () => {
        const store = await makeStore();
        const base = farHour();
        const items = [dueOf(base), dueOf(base + 60_000), dueOf(base + HOUR_MS)];
        for (const item of items) await store.putDue(item);

        const due = await store.listDue(iso(base + 2 * HOUR_MS), 2);

        expect(due).toHaveLength(2);
      });

      it('reports the earliest queued time, however far ahead', async () => {
        const store = await makeStore();
        const base = farHour();
        const item = dueOf(base + 7 * 24 * HOUR_MS + 17 * 60_000);
        await store.putDue(item);
        await store.putDue(dueOf(base + 400 * DAY_MS));

        const next = await store.nextDueAt();

        // A shared store may hold earlier items than this test's; never later ones.
        expect(next).toBeDefined();
        expect(next && next <= item.dueAt).toBe(true);
        expect(Number.isNaN(Date.parse(next ?? ''))).toBe(false);
      });
    });

    describe('schedules, scans and last events', () => {
      it('round-trips the schedule state of a journey', async () => {
        const store = await makeStore();
        const journeyId = uid('j');
        expect(await store.getScheduleState(journeyId)).toEqual({});

        await store.setScheduleState(journeyId, { '0': '2026-07-01T09:00:00.000Z', '2': '2026-07-06T09:00:00.000Z' });
        await store.setScheduleState(journeyId, { '0': '2026-07-02T09:00:00.000Z' });

        expect(await store.getScheduleState(journeyId)).toEqual({ '0': '2026-07-02T09:00:00.000Z' });
      });

      it('stores scan jobs and lists only the open ones', async () => {
        const store = await makeStore();
        const journeyId = uid('j');
        const jobOf = (kind: ScanJob['kind'], over: Partial<ScanJob> = {}): ScanJob => ({
          jobId: uid(kind),
          journeyId,
          version: 1,
          kind,
          done: false,
          startedAt: '2026-07-01T09:00:00.000Z',
          enrolled: 0,
          ...over,
        });
        const schedule = jobOf('schedule', { occurrence: '2026-07-01T09:00:00.000Z', trigger: 1 });
        const backfill = jobOf('backfill');
        const finished = jobOf('backfill', { done: true, enrolled: 4 });
        for (const job of [schedule, backfill, finished]) await store.putScanJob(job);
        const progressed = { ...backfill, cursor: 'page-2', enrolled: 3 };

        await store.putScanJob(progressed);

        expect(await store.getScanJob(backfill.jobId)).toEqual(progressed);
        expect(await store.getScanJob(uid('job'))).toBeUndefined();
        const open = (await store.listOpenScanJobs()).filter((j) => j.journeyId === journeyId);
        expect(open.sort((a, b) => a.jobId.localeCompare(b.jobId))).toEqual(
          [schedule, progressed].sort((a, b) => a.jobId.localeCompare(b.jobId)),
        );
      });

      it('pages through every contact with a cursor, skipping merged ones', async () => {
        const store = await makeStore();
        const ids = Array.from({ length: 5 }, () => uid('c'));
        const merged = uid('c');
        for (const contactId of ids) {
          const created = await store.createContact(contactOf(contactId), firstEventOf(contactId), []);
          expect(created).toBe('created');
        }
        await store.createContact(contactOf(merged, { mergedInto: ids[0] }), firstEventOf(merged), []);

        const seen: Contact[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.scanContacts(cursor, options.scanPageSize);
          expect(page.contacts.length).toBeLessThanOrEqual(options.scanPageSize);
          seen.push(...page.contacts);
          cursor = page.cursor;
          pages += 1;
        } while (cursor !== undefined && pages < 10_000);

        expect(cursor).toBeUndefined();
        const ours = seen.filter((c) => [...ids, merged].includes(c.contactId));
        expect(ours.map((c) => c.contactId).sort()).toEqual([...ids].sort());
        expect(ours.find((c) => c.contactId === ids[1])).toEqual(contactOf(ids[1] as string));
        expect(seen.every((c) => !c.mergedInto)).toBe(true);
        expect(new Set(seen.map((c) => c.contactId)).size).toBe(seen.length);
      });

      it('keeps the latest time of each event name', async () => {
        const store = await makeStore();
        const contactId = uid('c');
        await store.createContact(contactOf(contactId), firstEventOf(contactId), []);

        await store.touchLastEvents(contactId, { 'order.placed': '2026-08-02T00:00:00.000Z' });
        await store.touchLastEvents(contactId, { 'order.placed': '2026-08-01T00:00:00.000Z' });
        await store.touchLastEvents(contactId, { 'email.opened': '2026-08-01T00:00:00.000Z' });
        await store.touchLastEvents(contactId, { 'email.opened': '2026-08-03T00:00:00.000Z' });
        await store.touchLastEvents(uid('c'), { 'order.placed': '2026-08-01T00:00:00.000Z' });
        // Several at once, one of them older than the time kept: the others land.
        await store.touchLastEvents(contactId, {
          'order.placed': '2026-08-01T12:00:00.000Z',
          'nps.responded': '2026-08-04T00:00:00.000Z',
        });

        expect((await store.getContact(contactId))?.lastEventAt).toEqual({
          'order.placed': '2026-08-02T00:00:00.000Z',
          'email.opened': '2026-08-03T00:00:00.000Z',
          'nps.responded': '2026-08-04T00:00:00.000Z',
        });
      });
    });
  });
}
