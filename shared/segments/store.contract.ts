import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TimelineEvent } from '#core/contact.ts';
import type { TendStore } from '#platform/store.ts';
import type { Membership, StoredSegment } from './model.ts';

/**
 * One contract for SegmentStore, run against every adapter: memberships, their timeline events
 * and the member count change together; a repeat changes nothing; rule writes are guarded by
 * revision. Every test works on its own random ids.
 */
export function segmentStoreContract(name: string, makeStore: () => TendStore) {
  const uid = (tag: string) => `${tag}-${randomUUID().slice(0, 8)}`;
  const at = '2026-06-01T10:00:00.000Z';
  const segmentOf = (id: string, revision = 1): Omit<StoredSegment, 'members'> => ({
    id,
    name: 'Contract segment',
    match: 'all',
    conditions: [{ kind: 'tag', tag: 'contract', has: true }],
    revision,
    createdAt: at,
    updatedAt: at,
    updatedBy: 'contract',
  });
  const membership = (segmentId: string, contactId: string): Membership => ({
    segmentId,
    contactId,
    enteredAt: at,
    revision: 1,
  });
  const event = (m: Membership, name: 'segment.entered' | 'segment.exited'): TimelineEvent => ({
    eventId: `${name}:${m.segmentId}:${at}`,
    contactId: m.contactId,
    name,
    at,
    data: { segmentId: m.segmentId },
  });

  describe(`SegmentStore on ${name}`, () => {
    it('saves a rule once, then only at the revision it was read at, keeping the count', async () => {
      const store = makeStore();
      const id = uid('seg');
      expect(await store.saveSegment(segmentOf(id), undefined)).toBe('saved');
      expect(await store.saveSegment(segmentOf(id), undefined)).toBe('conflict');
      await store.enterSegment(membership(id, uid('c')), event(membership(id, 'x'), 'segment.entered'));
      expect(await store.saveSegment({ ...segmentOf(id, 2), name: 'Renamed' }, 7)).toBe('conflict');
      expect(await store.saveSegment({ ...segmentOf(id, 2), name: 'Renamed' }, 1)).toBe('saved');
      expect(await store.getSegment(id)).toMatchObject({ name: 'Renamed', revision: 2, members: 1 });
      expect((await store.listSegments()).some((s) => s.id === id)).toBe(true);
    });

    it('enters and leaves once each, with the timeline event and the count', async () => {
      const store = makeStore();
      const id = uid('seg');
      const contactId = uid('c');
      await store.saveSegment(segmentOf(id), undefined);
      const m = membership(id, contactId);

      const entered = await Promise.all([1, 2, 3].map(() => store.enterSegment(m, event(m, 'segment.entered'))));

      expect(entered.filter(Boolean)).toHaveLength(1);
      expect((await store.getSegment(id))?.members).toBe(1);
      expect((await store.listMemberships(contactId)).map((x) => x.segmentId)).toEqual([id]);
      expect(await store.getEvent(contactId, `segment.entered:${id}:${at}`)).toMatchObject({ name: 'segment.entered' });

      expect(await store.leaveSegment(m, event(m, 'segment.exited'))).toBe(true);
      expect(await store.leaveSegment(m, event(m, 'segment.exited'))).toBe(false);
      expect((await store.getSegment(id))?.members).toBe(0);
      expect(await store.listMemberships(contactId)).toEqual([]);
      expect(await store.getEvent(contactId, `segment.exited:${id}:${at}`)).toMatchObject({ name: 'segment.exited' });
    });

    it('reads a contact with its memberships together, and none for an unknown contact', async () => {
      const store = makeStore();
      const contactId = uid('c');
      const [a, b] = [uid('seg-a'), uid('seg-b')];
      for (const id of [a, b]) await store.saveSegment(segmentOf(id), undefined);
      await store.createContact(
        {
          contactId,
          externalIds: {},
          anonymousIds: [],
          properties: {},
          provenance: {},
          createdAt: at,
          updatedAt: at,
          createdBy: 'contract',
        },
        { eventId: `contact.created:${contactId}`, contactId, name: 'contact.created', at, data: {} },
        [],
      );
      for (const id of [a, b])
        await store.enterSegment(membership(id, contactId), event(membership(id, contactId), 'segment.entered'));

      const read = await store.getContactWithMemberships(contactId);

      expect(read.contact?.contactId).toBe(contactId);
      expect(read.memberships.map((m) => m.segmentId).sort()).toEqual([a, b].sort());
      expect(await store.getContactWithMemberships(uid('nobody'))).toEqual({ memberships: [] });
    });

    it('pages through members in contact id order', async () => {
      const store = makeStore();
      const id = uid('seg');
      await store.saveSegment(segmentOf(id), undefined);
      const ids = ['c-a', 'c-b', 'c-c', 'c-d', 'c-e'].map((c) => `${c}-${id}`);
      for (const c of ids) await store.enterSegment(membership(id, c), event(membership(id, c), 'segment.entered'));
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listMembers(id, cursor, 2);
        seen.push(...page.members.map((m) => m.contactId));
        cursor = page.cursor;
      } while (cursor);
      expect(seen).toEqual(ids);
    });

    it('records re-evaluation progress only for the revision that started it', async () => {
      const store = makeStore();
      const id = uid('seg');
      const job = {
        revision: 1,
        scope: 'contacts' as const,
        status: 'running' as const,
        scanned: 0,
        entered: 0,
        exited: 0,
        startedAt: at,
      };
      await store.saveSegment({ ...segmentOf(id), reevaluation: job }, undefined);
      expect(await store.updateReevaluation(id, { ...job, scanned: 5 })).toBe(true);
      expect(await store.updateReevaluation(id, { ...job, revision: 2, scanned: 9 })).toBe(false);
      expect((await store.getSegment(id))?.reevaluation).toMatchObject({ revision: 1, scanned: 5 });
    });
  });
}
