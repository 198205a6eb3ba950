import { describe, expect, it } from 'vitest';
import type { Contact } from '#core/contact.ts';
import type { ScanJob } from '../model.ts';
import { type ContractOptions, type MakeStore, uid } from './support.ts';

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

/** DueStore's schedule state, scan jobs, contact scans and the contact's last event times. */
export function schedulesAndScansContract(makeStore: MakeStore, options: ContractOptions) {
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
}
