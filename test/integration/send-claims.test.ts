import { describe, expect, it } from 'vitest';
import { createDynamoStore } from '#platform/dynamo-store.ts';
import { db, scratchTable } from '../support/local.ts';

/** The send claim on DynamoDB Local: claimed once, taken over only from the claim it saw. */
const tableName = scratchTable('send-claims');
const store = createDynamoStore(db, tableName);

describe('send claims', () => {
  it('is taken over once from the claim time it was read with, and never once sent', async () => {
    const first = '2026-12-07T10:00:00.000Z';
    const claim = { contactId: 'c-1', sendKey: 'e-1#welcome', kind: 'journey' as const, template: 'welcome' };
    expect(await store.claimSend({ ...claim, claimedAt: first })).toEqual({ outcome: 'claimed' });
    expect((await store.claimSend({ ...claim, claimedAt: first })).outcome).toBe('in-doubt');

    const later = '2026-12-07T10:01:05.000Z';
    // Two retries race to take it over: one wins.
    const taken = await Promise.all([
      store.renewClaim('c-1', 'e-1#welcome', first, later),
      store.renewClaim('c-1', 'e-1#welcome', first, '2026-12-07T10:01:06.000Z'),
    ]);
    expect(taken.filter(Boolean)).toHaveLength(1);
    expect((await store.getSend('c-1', 'e-1#welcome'))?.claimedAt).toBe(taken[0] ? later : '2026-12-07T10:01:06.000Z');

    await store.markSent('c-1', 'e-1#welcome', 'm-1', later);
    const current = (await store.getSend('c-1', 'e-1#welcome'))?.claimedAt as string;
    expect(await store.renewClaim('c-1', 'e-1#welcome', current, '2026-12-07T10:05:00.000Z')).toBe(false);
    expect(await store.getSend('c-1', 'e-1#welcome')).toMatchObject({ status: 'sent', messageId: 'm-1' });
  });
});
