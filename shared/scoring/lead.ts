import { assertUnreachable } from '#core/assert.ts';
import type { Contact, EventName, TimelineEvent } from '#core/contact.ts';
import { group, plural, signed } from './explain.ts';
import { sum } from './math.ts';
import { chronological } from './timeline.ts';

/** A test on one field of an event's data. */
export interface DataTest {
  field: string;
  gte?: number;
  lte?: number;
  /** Case-insensitive substring of a string value. */
  includes?: string;
}

export type LeadMatch =
  /** Events of one name whose data passes `where`; with `latest`, only the newest such event is looked at. */
  | { kind: 'event'; event: EventName; where?: DataTest; latest?: boolean }
  /** `form.submitted` events with one of `names` filled, or any string field containing one of `valueIncludes`. */
  | { kind: 'form-field'; names?: string[]; valueIncludes?: string[] }
  /** The contact left all marketing mail (`unsubscribedAt`, or a `contact.unsubscribed` event). */
  | { kind: 'unsubscribed' }
  /** The contact carries the tag. */
  | { kind: 'tag'; tag: string };

export interface LeadRule {
  /** Stable id; shown with the points and usable to override a default rule. */
  id: string;
  description: string;
  /** Points per occurrence (`each`) or for the rule (`once`); negative subtracts. */
  points: number;
  match: LeadMatch;
  /** Default `once`. */
  count?: 'once' | 'each';
  /** Largest absolute number of points the rule can contribute. */
  max?: number;
}

/**
 * Defaults: form submitted +10 (once); each email open +1 (up to 10); each click +3 (up to 15);
 * a pricing-page or lead-magnet form (a `leadMagnet`/`lead_magnet` field, or a field value
 * mentioning "pricing") +15; checkout started +10; latest NPS 9–10 +10, 0–6 −10; unsubscribed
 * −20; spam complaint −30.
 */
export const DEFAULT_LEAD_RULES: readonly LeadRule[] = [
  {
    id: 'form-submitted',
    description: 'Submitted a form',
    points: 10,
    match: { kind: 'event', event: 'form.submitted' },
  },
  {
    id: 'email-opened',
    description: 'Opened an email',
    points: 1,
    count: 'each',
    max: 10,
    match: { kind: 'event', event: 'email.opened' },
  },
  {
    id: 'email-clicked',
    description: 'Clicked a link in an email',
    points: 3,
    count: 'each',
    max: 15,
    match: { kind: 'event', event: 'email.clicked' },
  },
  {
    id: 'high-intent-form',
    description: 'Submitted a pricing-page or lead-magnet form',
    points: 15,
    match: { kind: 'form-field', names: ['leadMagnet', 'lead_magnet'], valueIncludes: ['pricing'] },
  },
  {
    id: 'checkout-started',
    description: 'Started a checkout',
    points: 10,
    match: { kind: 'event', event: 'checkout.started' },
  },
  {
    id: 'nps-promoter',
    description: 'Latest NPS answer is 9 or 10 (promoter)',
    points: 10,
    match: { kind: 'event', event: 'nps.responded', where: { field: 'score', gte: 9 }, latest: true },
  },
  {
    id: 'nps-detractor',
    description: 'Latest NPS answer is 0 to 6 (detractor)',
    points: -10,
    match: { kind: 'event', event: 'nps.responded', where: { field: 'score', lte: 6 }, latest: true },
  },
  { id: 'unsubscribed', description: 'Unsubscribed from marketing mail', points: -20, match: { kind: 'unsubscribed' } },
  {
    id: 'email-complained',
    description: 'Marked an email as spam',
    points: -30,
    match: { kind: 'event', event: 'email.complained' },
  },
];

export interface AppliedLeadRule {
  id: string;
  description: string;
  /** How many times the rule matched. */
  occurrences: number;
  /** What it contributed, after `count` and `max`. */
  points: number;
}

export interface LeadScore {
  total: number;
  applied: AppliedLeadRule[];
  explanation: string[];
}

/**
 * Sums the points of every rule that matches (defaults in {@link DEFAULT_LEAD_RULES}; pass a full
 * list to override, e.g. `DEFAULT_LEAD_RULES.map(...)`). The total is not clamped and can be
 * negative. Engagement is not decayed: pass only the events that should count.
 */
export function leadScore(
  contact: Contact,
  events: readonly TimelineEvent[],
  rules: readonly LeadRule[] = DEFAULT_LEAD_RULES,
): LeadScore {
  const timeline = chronological(events);
  const applied: AppliedLeadRule[] = [];
  const explanation: string[] = [];
  for (const rule of rules) {
    const occurrences = countMatches(rule.match, contact, timeline);
    if (occurrences === 0) continue;
    const each = rule.count === 'each';
    const raw = each ? occurrences * rule.points : rule.points;
    const points = rule.max === undefined ? raw : Math.sign(raw) * Math.min(Math.abs(raw), rule.max);
    applied.push({ id: rule.id, description: rule.description, occurrences, points });
    const capped = points !== raw ? `, capped at ${signed(points)}` : '';
    explanation.push(
      each
        ? `${rule.description}: ${occurrences} × ${signed(rule.points)} = ${signed(raw)}${capped}`
        : `${rule.description}${occurrences > 1 ? ` (${occurrences} times, counted once)` : ''}: ${signed(points)}`,
    );
  }
  const total = sum(applied.map((a) => a.points));
  explanation.push(
    applied.length ? `Lead score ${group(total)} from ${plural(applied.length, 'rule')}` : 'No lead rule applies → 0',
  );
  return { total, applied, explanation };
}

function countMatches(match: LeadMatch, contact: Contact, events: readonly TimelineEvent[]): number {
  switch (match.kind) {
    case 'event': {
      const named = events.filter((e) => e.name === match.event);
      const looked = match.latest ? named.slice(-1) : named;
      return looked.filter((e) => !match.where || passes(e.data, match.where)).length;
    }
    case 'form-field':
      return events.filter((e) => e.name === 'form.submitted' && formMatches(e.data, match)).length;
    case 'unsubscribed':
      return contact.unsubscribedAt || events.some((e) => e.name === 'contact.unsubscribed') ? 1 : 0;
    case 'tag':
      return contact.tags?.includes(match.tag) ? 1 : 0;
    default:
      return assertUnreachable(match);
  }
}

function passes(data: Record<string, unknown>, test: DataTest): boolean {
  const value = data[test.field];
  if (test.gte !== undefined && !(typeof value === 'number' && value >= test.gte)) return false;
  if (test.lte !== undefined && !(typeof value === 'number' && value <= test.lte)) return false;
  if (test.includes !== undefined) {
    return typeof value === 'string' && value.toLowerCase().includes(test.includes.toLowerCase());
  }
  return value !== undefined;
}

function formMatches(data: Record<string, unknown>, match: { names?: string[]; valueIncludes?: string[] }): boolean {
  const fields = data.fields;
  if (!fields || typeof fields !== 'object') return false;
  return Object.entries(fields as Record<string, unknown>).some(
    ([name, value]) =>
      (match.names?.includes(name) && value !== null && value !== '' && value !== false) ||
      (typeof value === 'string' &&
        (match.valueIncludes ?? []).some((word) => value.toLowerCase().includes(word.toLowerCase()))),
  );
}
