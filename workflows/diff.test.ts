import { describe, expect, it } from 'vitest';
import { diffJourneys } from './diff.ts';
import { journeySchema } from './journey.schema.ts';
import { BUILT_IN_JOURNEYS } from './journeys/index.ts';

describe('diffJourneys', () => {
  const v1 = journeySchema.parse(BUILT_IN_JOURNEYS.onboarding);

  it('summarises a first version', () => {
    expect(diffJourneys(undefined, v1)).toEqual(['first version: 4 nodes, 1 trigger(s)']);
  });

  it('says in words what changed between two versions', () => {
    const v2 = journeySchema.parse({
      ...BUILT_IN_JOURNEYS.onboarding,
      name: 'Onboarding v2',
      nodes: {
        ...BUILT_IN_JOURNEYS.onboarding.nodes,
        'wait-2-days': { type: 'wait', duration: { days: 3 }, next: 'tips-email' },
        'tips-email': { type: 'send-email', template: 'nurture-guide', next: 'done' },
        extra: { type: 'exit' },
      },
      settings: { ...BUILT_IN_JOURNEYS.onboarding.settings, reentry: { mode: 'always' } },
    });
    expect(diffJourneys(v1, v2)).toEqual([
      'name "Onboarding" → "Onboarding v2"',
      'node "wait-2-days": duration.days 2 → 3',
      'node "tips-email": template "tips" → "nurture-guide"',
      'added node "extra" (exit)',
      'settings: reentry.mode "never" → "always"',
    ]);
    expect(diffJourneys(v1, v1)).toEqual(['no changes to the journey itself (published again)']);
  });
});
