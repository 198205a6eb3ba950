import { describe, expect, it } from 'vitest';
import { ago, contact, event, now, order } from './score-fixtures.ts';
import { scoreContact } from './scores.ts';

describe('scoreContact', () => {
  it('returns all four scores as of now', () => {
    const events = [
      event('form.submitted', ago(90), { formId: 'f', fields: {} }),
      order(60, 20_000),
      order(40, 15_000),
      event('email.opened', '2026-06-03T00:00:00Z'),
    ];
    const c = contact({ properties: { loyaltyPoints: 350, loyaltyTier: 'silver' } });

    const scores = scoreContact(c, events, now);

    expect(scores.rfm).toMatchObject({ segment: 'promising', recency: 4, frequency: 2, monetary: 3 });
    expect(scores.churn).toMatchObject({ level: 'high', cadenceDays: 20, ratio: 2, risk: 0.5 });
    expect(scores.lead).toMatchObject({ total: 10 });
    expect(scores.loyalty).toMatchObject({ tier: 'silver', next: { tier: 'gold', pointsNeeded: 650 } });
  });
});
