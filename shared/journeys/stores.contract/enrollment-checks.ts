import { describe, expect, it } from 'vitest';
import { always, enrollmentOf, farHour, iso, type MakeStore, uid } from './support.ts';

/** EnrollmentStore's queue of checks for the repair sweep. */
export function enrollmentChecksContract(makeStore: MakeStore) {
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
}
