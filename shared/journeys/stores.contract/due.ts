import { describe, expect, it } from 'vitest';
import type { DueItem } from '../model.ts';
import { DAY_MS, farHour, HOUR_MS, iso, type MakeStore, uid } from './support.ts';

/** DueStore's time-trigger queue: items listed when due, however far apart. */
export function dueQueueContract(makeStore: MakeStore) {
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
}
