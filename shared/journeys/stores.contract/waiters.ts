import { describe, expect, it } from 'vitest';
import type { EventWaiter } from '../model.ts';
import { always, enrollmentOf, type MakeStore, uid } from './support.ts';

/** WaiterStore: registrations by contact and event, deleted by token. */
export function waitersContract(makeStore: MakeStore) {
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
      await store.putWaiter(waiterOf(contactId, { event: 'order.refunded', enrollmentId: e.enrollmentId, journeyId }));

      const both = await store.listEnrollmentsAndWaiters(contactId, 'order.placed');

      expect(both.enrollments.map((x) => x.enrollmentId)).toEqual([e.enrollmentId]);
      expect(both.waiters).toEqual([waiting]);
      expect((await store.listEnrollments(contactId)).map((x) => x.enrollmentId)).toEqual([e.enrollmentId]);
      expect(await store.getEnrollment(contactId, e.enrollmentId)).toEqual((await store.listEnrollments(contactId))[0]);
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
}
