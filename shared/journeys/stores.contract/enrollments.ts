import { describe, expect, it } from 'vitest';
import type { EntryRules } from '../store.ts';
import { always, arnOf, DAY_MS, enrollmentOf, iso, type MakeStore, RACES, uid } from './support.ts';

const once: EntryRules = { reentry: { mode: 'never' } };
const coolOffDay: EntryRules = { reentry: { mode: 'after-cool-off', coolOff: { days: 1 } }, coolOffMs: DAY_MS };

/** EnrollmentStore: entry rules, replays, races, ends and conversions. */
export function enrollmentsContract(makeStore: MakeStore) {
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
      expect(await store.markConverted(contactId, e.enrollmentId, { at: iso(t0 + 2_000), goal: 'again' })).toBe(false);
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
}
