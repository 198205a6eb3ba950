import { describe, expect, it } from 'vitest';
import { loyaltyStatus } from './loyalty.ts';
import { contact } from './score-fixtures.ts';

describe('loyaltyStatus', () => {
  it('starts a contact without points with no tier, 300 points from silver', () => {
    expect(loyaltyStatus(contact())).toEqual({
      points: 0,
      tier: 'none',
      next: { tier: 'silver', pointsNeeded: 300 },
      explanation: ['0 points → no tier yet', '300 points to silver (300)'],
    });
  });

  it('reports silver at exactly 300 points and the distance to gold', () => {
    const status = loyaltyStatus(contact({ properties: { loyaltyPoints: 300, loyaltyTier: 'silver' } }));
    expect(status).toEqual({
      points: 300,
      tier: 'silver',
      next: { tier: 'gold', pointsNeeded: 700 },
      explanation: ['300 points → silver (≥ 300)', '700 points to gold (1,000)'],
    });
  });

  it('reports gold at 1,000 points as the highest tier', () => {
    const status = loyaltyStatus(contact({ properties: { loyaltyPoints: 1_000, loyaltyTier: 'gold' } }));
    expect(status).toMatchObject({ tier: 'gold', next: null });
    expect(status.explanation).toEqual(['1,000 points → gold (≥ 1,000)', 'Highest tier reached']);
  });

  it('gives the earned tier before the journey has recorded it', () => {
    const status = loyaltyStatus(contact({ properties: { loyaltyPoints: 1_050, loyaltyTier: 'silver' } }));
    expect(status).toMatchObject({ tier: 'gold', next: null });
    expect(status.explanation).toEqual([
      '1,050 points → gold (≥ 1,000)',
      'The loyalty journey has not recorded gold yet',
      'Highest tier reached',
    ]);
  });

  it('keeps a stored tier above what the points earn', () => {
    const status = loyaltyStatus(contact({ properties: { loyaltyPoints: 299, loyaltyTier: 'gold' } }));
    expect(status).toMatchObject({ tier: 'gold', points: 299, next: null });
    expect(status.explanation[1]).toBe('Tier gold kept from the loyalty journey');
  });

  it('ignores points that are not a number', () => {
    expect(loyaltyStatus(contact({ properties: { loyaltyPoints: 'lots' } }))).toMatchObject({
      points: 0,
      tier: 'none',
    });
  });

  it('takes overridden tier thresholds', () => {
    const status = loyaltyStatus(contact({ properties: { loyaltyPoints: 150 } }), { silver: 100, gold: 500 });
    expect(status).toMatchObject({ tier: 'silver', next: { tier: 'gold', pointsNeeded: 350 } });
  });
});
