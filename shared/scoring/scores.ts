/**
 * Lifecycle scores for the contact page, together: RFM (rfm.ts), churn risk (churn.ts), lead score
 * (lead.ts) and loyalty status (loyalty.ts), and the values of them kept on the contact.
 *
 * Every function is pure: time comes in as `now`, and each result carries `explanation`, plain
 * sentences that say which numbers and which thresholds produced it. Events are the contact's
 * timeline in any order; duplicates (same `eventId`) count once, and events after `now` are ignored
 * by the time-based scores, so a score can be computed "as of" any past moment.
 */
import { type Contact, STORED_SCORE_NAMES, type StoredScores, type TimelineEvent } from '#core/contact.ts';
import { type ChurnOptions, type ChurnRisk, cadenceOf, churnRisk, DEFAULT_CHURN_OPTIONS } from './churn.ts';
import { type LeadRule, type LeadScore, leadScore } from './lead.ts';
import { type LoyaltyStatus, type LoyaltyThresholds, loyaltyStatus } from './loyalty.ts';
import { DEFAULT_RFM_THRESHOLDS, type RfmResult, type RfmThresholds, rfmScore } from './rfm.ts';
import { DAY_MS, ordersUpTo } from './timeline.ts';

export interface ContactScores {
  rfm: RfmResult;
  churn: ChurnRisk;
  lead: LeadScore;
  loyalty: LoyaltyStatus;
}

export interface ScoreOptions {
  rfm?: Partial<RfmThresholds>;
  churn?: Partial<ChurnOptions>;
  leadRules?: readonly LeadRule[];
  loyalty?: LoyaltyThresholds;
}

/** Every score for the contact page, as of `now`. Lead rules see only events up to `now`. */
export function scoreContact(
  contact: Contact,
  events: readonly TimelineEvent[],
  now: Date,
  options: ScoreOptions = {},
): ContactScores {
  const past = events.filter((e) => Date.parse(e.at) <= now.getTime());
  return {
    rfm: rfmScore(past, now, options.rfm),
    churn: churnRisk(past, now, options.churn),
    lead: leadScore(contact, past, options.leadRules),
    loyalty: loyaltyStatus(contact, options.loyalty),
  };
}

// ---------------------------------------------------------------------------------------------
// Stored scores: what segments and journey conditions read as `scores.<name>`

/** The score values kept on the contact, so rules can test them (`scores.churnRisk eq "high"`). */
// A type, not an interface: it must fit the conditions' `Record<string, Scalar>`.

export const storedScores = (s: ContactScores): StoredScores => ({
  rfm: s.rfm.segment,
  churnRisk: s.churn.level,
  leadScore: s.lead.total,
  loyaltyTier: s.loyalty.tier,
});

const sameScores = (a: StoredScores, b: StoredScores) => STORED_SCORE_NAMES.every((k) => a[k] === b[k]);

/**
 * The next moment time alone changes a stored score: recency and churn risk move as days pass
 * since the last order, at known day counts (each RFM recency boundary, and the churn ratios
 * against the customer's cadence). Undefined for a contact with no orders (nothing moves until
 * an event comes). Checked at each candidate day, so it is exact for any thresholds.
 */
export function nextScoreChange(
  contact: Contact,
  events: readonly TimelineEvent[],
  now: Date,
  options: ScoreOptions = {},
): Date | undefined {
  const orders = ordersUpTo(events, now);
  const last = orders.at(-1);
  if (!last) return undefined;
  const rfm = { ...DEFAULT_RFM_THRESHOLDS, ...options.rfm };
  const churn = { ...DEFAULT_CHURN_OPTIONS, ...options.churn };
  const { cadence } = cadenceOf(orders, churn.defaultCadenceDays);
  const days = [
    ...rfm.recencyDays.map((d) => d + 1),
    Math.ceil(churn.mediumAtRatio * cadence),
    Math.ceil(churn.highAtRatio * cadence),
  ]
    .filter((d, i, all) => all.indexOf(d) === i)
    .sort((a, b) => a - b);
  const current = storedScores(scoreContact(contact, events, now, options));
  for (const d of days) {
    const at = last.at + d * DAY_MS;
    if (at <= now.getTime()) continue;
    if (!sameScores(current, storedScores(scoreContact(contact, events, new Date(at), options)))) return new Date(at);
  }
  return undefined;
}
