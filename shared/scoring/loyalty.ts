import type { Contact } from '#core/contact.ts';
import { group, plural } from './explain.ts';

export type LoyaltyTier = 'none' | 'silver' | 'gold';

/** Points from which each tier starts. */
export interface LoyaltyThresholds {
  silver: number;
  gold: number;
}

/** The loyalty journey's thresholds (workflows/journeys/loyalty.json): silver ≥ 300, gold ≥ 1000. */
export const DEFAULT_LOYALTY_THRESHOLDS: LoyaltyThresholds = { silver: 300, gold: 1_000 };

export interface LoyaltyStatus {
  points: number;
  tier: LoyaltyTier;
  next: { tier: 'silver' | 'gold'; pointsNeeded: number } | null;
  explanation: string[];
}

/**
 * Reads `loyaltyPoints` and `loyaltyTier`, which the loyalty journey keeps. The tier is the higher
 * of the stored one and the one the points earn (the journey may not have run since the last
 * order; it never downgrades).
 */
export function loyaltyStatus(
  contact: Contact,
  thresholds: LoyaltyThresholds = DEFAULT_LOYALTY_THRESHOLDS,
): LoyaltyStatus {
  const raw = contact.properties.loyaltyPoints;
  const points = typeof raw === 'number' && Number.isFinite(raw) ? raw : 0;
  const stored = contact.properties.loyaltyTier;
  const storedTier: LoyaltyTier = stored === 'gold' || stored === 'silver' ? stored : 'none';
  const earned: LoyaltyTier = points >= thresholds.gold ? 'gold' : points >= thresholds.silver ? 'silver' : 'none';
  const rank = { none: 0, silver: 1, gold: 2 } as const;
  const tier = rank[storedTier] >= rank[earned] ? storedTier : earned;

  const explanation = [
    earned === 'none'
      ? `${plural(points, 'point')} → no tier yet`
      : `${plural(points, 'point')} → ${earned} (≥ ${group(thresholds[earned])})`,
  ];
  if (tier !== earned) explanation.push(`Tier ${tier} kept from the loyalty journey`);
  else if (storedTier !== tier) explanation.push(`The loyalty journey has not recorded ${tier} yet`);

  const nextTier: 'silver' | 'gold' | null = tier === 'none' ? 'silver' : tier === 'silver' ? 'gold' : null;
  const next = nextTier ? { tier: nextTier, pointsNeeded: Math.max(0, thresholds[nextTier] - points) } : null;
  explanation.push(
    next
      ? `${plural(next.pointsNeeded, 'point')} to ${next.tier} (${group(thresholds[next.tier])})`
      : 'Highest tier reached',
  );
  return { points, tier, next, explanation };
}
