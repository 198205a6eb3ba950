import { describe, expect, it } from 'vitest';
import { rescaleDue, scaledDue } from './timers.ts';

const T0 = Date.parse('2030-01-01T00:00:00Z');
const DAY_MS = 86_400_000;

describe('rescaleDue', () => {
  it('keeps the remaining simulated time when the time scale changes', () => {
    const due = scaledDue(DAY_MS, 1000, T0); // a day at 1000x: 86.4 s of real time
    const later = T0 + 43_200; // half of it has passed

    expect(rescaleDue(due, 86_400_000, later)).toEqual({ dueAt: later + 0.5, timeScale: 86_400_000 });
    expect(rescaleDue(due, 1000, later)).toBe(due);
  });
});
