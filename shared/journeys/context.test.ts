import { describe, expect, it } from 'vitest';
import { atOrAfter } from './context.ts';

describe('atOrAfter', () => {
  it('counts an answer stamped in the same whole second as the wait began, as webhook times are', () => {
    expect(atOrAfter('2026-12-07T10:00:05Z', '2026-12-07T10:00:05.740Z')).toBe(true);
    expect(atOrAfter('2026-12-07T10:00:06Z', '2026-12-07T10:00:05.740Z')).toBe(true);
  });

  it('does not count an event from an earlier second', () => {
    expect(atOrAfter('2026-12-07T10:00:04.999Z', '2026-12-07T10:00:05.000Z')).toBe(false);
  });
});
