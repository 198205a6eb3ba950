import { describe, expect, it, vi } from 'vitest';
import { createFrontDoor, isDelivery } from './front-door.ts';

/** Resolves once `promise` has settled or `ticks` macrotasks have passed: whether it settled. */
async function settled(promise: Promise<unknown>, ticks = 5): Promise<boolean> {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  for (let i = 0; i < ticks && !done; i++) await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('the local front door', () => {
  it('knows deliveries from other requests', () => {
    expect(isDelivery('POST', '/webhooks/demo-form')).toBe(true);
    expect(isDelivery('POST', '/api/events')).toBe(true);
    expect(isDelivery('GET', '/webhooks/demo-form')).toBe(false);
    expect(isDelivery('POST', '/api/journeys')).toBe(false);
  });

  it('admits every batch at once while no delivery is arriving', async () => {
    const door = createFrontDoor({ quietMs: 5 });
    const done = await Promise.all([door.admit(), door.admit(), door.admit()]);
    expect(done).toHaveLength(3);
    for (const release of done) release();
  });

  it('runs one batch at a time while deliveries arrive, and all of them once it is quiet', async () => {
    const door = createFrontDoor({ quietMs: 5 });
    const leave = door.enter();
    expect(door.busy()).toBe(true);
    const first = await door.admit();
    const second = door.admit();
    expect(await settled(second)).toBe(false);
    // The running batch ends: the next one takes its turn, still one at a time.
    first();
    const secondDone = await second;
    const third = door.admit();
    expect(await settled(third)).toBe(false);
    // The delivery is answered; once the door has been quiet for quietMs, the rest go at once.
    leave();
    const [thirdDone, fourthDone] = await Promise.all([third, door.admit()]);
    expect(door.busy()).toBe(false);
    for (const release of [secondDone, thirdDone, fourthDone]) release();
  });

  it('gives processing a tenth of the time while deliveries arrive', async () => {
    vi.useFakeTimers({ toFake: ['performance', 'setTimeout', 'clearTimeout'] });
    try {
      const door = createFrontDoor({ quietMs: 5 });
      const leave = door.enter();
      const batch = await door.admit();
      vi.advanceTimersByTime(100);
      batch();
      // A batch of 100 ms: the next one rests 900 ms.
      const next = door.admit();
      await vi.advanceTimersByTimeAsync(890);
      expect(await settled(next)).toBe(false);
      await vi.advanceTimersByTimeAsync(20);
      expect(await settled(next)).toBe(true);
      (await next)();
      leave();
    } finally {
      vi.useRealTimers();
    }
  });

  it('counts a delivery once however often it is answered', async () => {
    const door = createFrontDoor({ quietMs: 0 });
    const leave = door.enter();
    const other = door.enter();
    leave();
    leave();
    expect(door.busy()).toBe(true);
    other();
    await new Promise((resolve) => setTimeout(resolve, 2));
    expect(door.busy()).toBe(false);
  });
});
