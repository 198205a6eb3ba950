import { beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '#core/clock.ts';
import type { TimelineEvent } from '#core/contact.ts';
import { createMemoryJourneys } from '#journeys/memory-runtime.ts';
import { runJourneyScheduler } from '#journeys/scheduler.ts';
import { createMemoryStore } from '#platform/memory-store.ts';
import { addTestContact } from '../../test/support/memory.ts';
import { refreshScores } from './rescore.ts';
import { nextScoreChange, scoreContact, storedScores } from './scores.ts';

/** Stored scores follow events and the passing of time, without a crawl. */

let now = new Date('2026-03-01T12:00:00Z');
const clock: Clock = { now: () => now };
let memory: ReturnType<typeof createMemoryStore>;

const order = (at: string): TimelineEvent => ({
  eventId: `order:${at}`,
  contactId: 'c-ada',
  name: 'order.placed',
  at,
  data: { total: { amountMinor: 4200, currency: 'EUR' } },
});

beforeEach(async () => {
  now = new Date('2026-03-01T12:00:00Z');
  memory = createMemoryStore();
  await addTestContact(memory.store, 'c-ada', {}, '2026-01-01T00:00:00.000Z');
});

describe('the next time-driven score change', () => {
  it('is the first day at which a stored score differs, and nothing differs before it', async () => {
    const contact = await memory.store.getContact('c-ada');
    if (!contact) throw new Error('no contact');
    const events = [order('2026-01-10T10:00:00.000Z'), order('2026-02-09T10:00:00.000Z')];
    const at = new Date('2026-02-20T00:00:00Z');
    const next = nextScoreChange(contact, events, at);
    if (!next) throw new Error('expected a change');
    const scoresAt = (t: Date) => storedScores(scoreContact(contact, events, t));
    expect(scoresAt(next)).not.toEqual(scoresAt(at));
    expect(scoresAt(new Date(next.getTime() - 60_000))).toEqual(scoresAt(at));
  });

  it('is none for a contact who never ordered', async () => {
    const contact = await memory.store.getContact('c-ada');
    expect(contact && nextScoreChange(contact, [], now)).toBeUndefined();
  });
});

describe('refreshing stored scores', () => {
  it('stores them on an order and raises churn risk when the due moment comes', async () => {
    await memory.store.appendEvent(order('2026-03-01T10:00:00.000Z'));
    expect(await refreshScores({ store: memory.store, clock }, 'c-ada')).toBe('changed');
    expect((await memory.store.getContact('c-ada'))?.scores).toMatchObject({ churnRisk: 'low', rfm: 'new' });
    expect(await refreshScores({ store: memory.store, clock }, 'c-ada')).toBe('unchanged');

    // One order: a 60-day cadence is assumed; high risk from twice that. Walk the due items.
    const deps = { store: memory.store, runtime: createMemoryJourneys(), clock, settings: { defaultTimeZone: 'UTC' } };
    const seen: string[] = [];
    for (let i = 0; i < 10; i++) {
      const due = await memory.store.nextDueAt();
      if (!due) break;
      now = new Date(due);
      await runJourneyScheduler(deps);
      seen.push(`${due.slice(0, 10)} ${(await memory.store.getContact('c-ada'))?.scores?.churnRisk}`);
    }
    expect(seen).toContain('2026-05-30 medium');
    expect(seen).toContain('2026-06-29 high');
    expect((await memory.store.getContact('c-ada'))?.scores?.churnRisk).toBe('high');
  });
});
