import * as z from 'zod';
import { assertUnreachable } from '#core/assert.ts';
import { EVENT_NAMES } from '#core/contact.ts';
import { type Condition, conditionSchema, type EventWindow, matchSchema, segmentIdSchema } from './condition.schema.ts';
import { type EvaluationContext, evaluateConditions, matchesFilters } from './conditions.ts';
import { durationSeconds } from './journey-nodes.ts';
import { jsonPath } from './schema-violations.ts';

/**
 * Segments: named rules on a contact's profile, tags and events ("2+ orders in 90 days", "no
 * order for 60 days", "opened but never clicked"). They use the journey language's conditions,
 * evaluated by the same code, so a segment and a journey branch never disagree on a contact.
 *
 * Membership is kept current incrementally (`shared/segments/segments.ts`): a contact is
 * re-evaluated when one of its events or its profile changes, and at the moment an event
 * leaves a rule's time window (the only way time alone changes a rule's answer).
 */

export const segmentSchema = z
  .object({
    id: segmentIdSchema,
    name: z.string().trim().min(1).max(120),
    description: z.string().max(500).optional(),
    match: matchSchema.default('all'),
    conditions: z.array(conditionSchema).min(1).max(20),
  })
  .strict();

export type Segment = z.infer<typeof segmentSchema>;
export type SegmentInput = z.input<typeof segmentSchema>;

export interface SegmentViolation {
  path: string;
  message: string;
}

const KNOWN_EVENTS: ReadonlySet<string> = new Set(EVENT_NAMES);

/** Checks a segment document: the schema, then what a schema cannot say. Pure. */
export function validateSegment(
  input: unknown,
): { ok: true; segment: Segment } | { ok: false; violations: SegmentViolation[] } {
  const parsed = segmentSchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      violations: parsed.error.issues.map((issue) => ({
        path: jsonPath(issue.path),
        message: issue.message,
      })),
    };
  }
  const segment = parsed.data;
  const violations: SegmentViolation[] = [];
  segment.conditions.forEach((c, i) => {
    const path = `$.conditions[${i}]`;
    switch (c.kind) {
      case 'trigger':
        violations.push({
          path: `${path}.kind`,
          message: 'a segment has no trigger to test. Fix: test the event itself with "kind": "event".',
        });
        break;
      case 'segment':
        violations.push({
          path: `${path}.kind`,
          message: `a segment cannot test another segment ("${c.segment}"). Fix: copy that segment's conditions into this one.`,
        });
        break;
      case 'event':
        if (c.within === 'since-entry') {
          violations.push({
            path: `${path}.within`,
            message: 'a segment has no entry time. Fix: use "all-time" or a window such as {"days": 90}.',
          });
        }
        if (!KNOWN_EVENTS.has(c.event)) {
          violations.push({
            path: `${path}.event`,
            message: `Tend does not know the event "${c.event}". Fix: use a canonical event name such as "order.placed" or "email.opened".`,
          });
        } else if (c.event.startsWith('segment.')) {
          violations.push({
            path: `${path}.event`,
            message: 'a segment cannot count segment events. Fix: test the events the other segment tests.',
          });
        }
        break;
      case 'property':
      case 'tag':
        break;
      default:
        assertUnreachable(c);
    }
  });
  return violations.length === 0 ? { ok: true, segment } : { ok: false, violations };
}

/** Whether the contact belongs in the segment now. */
export const segmentHolds = (segment: Pick<Segment, 'conditions' | 'match'>, ctx: EvaluationContext): boolean =>
  evaluateConditions(segment.conditions, segment.match, ctx);

const windowMs = (window: EventWindow): number | undefined =>
  typeof window === 'object' ? durationSeconds(window) * 1000 : undefined;

/**
 * The next moment time alone can change the segment's answer: when the oldest event still
 * counted by a windowed event condition leaves its window. New events and profile changes
 * trigger their own evaluation, so nothing else needs a timer. Undefined when no such moment.
 */
export function nextWindowChange(
  segment: Pick<Segment, 'conditions'>,
  ctx: Pick<EvaluationContext, 'events' | 'now'>,
): Date | undefined {
  const now = ctx.now.getTime();
  let next: number | undefined;
  for (const c of segment.conditions) {
    if (c.kind !== 'event') continue;
    const width = windowMs(c.within);
    if (width === undefined) continue;
    for (const e of ctx.events) {
      if (e.name !== c.event) continue;
      const leaves = Date.parse(e.at) + width;
      if (Date.parse(e.at) > now || leaves <= now || !matchesFilters(e.data, c.where)) continue;
      if (next === undefined || leaves < next) next = leaves;
    }
  }
  return next === undefined ? undefined : new Date(next);
}

/** What changed on a contact, to pick the segments worth re-evaluating. */
export type ContactChangeKind = { kind: 'event'; name: string } | { kind: 'profile' } | { kind: 'all' };

/** Whether a change can change the segment's answer: only rules that read what changed. */
export function affectedBy(segment: Pick<Segment, 'conditions'>, change: ContactChangeKind): boolean {
  switch (change.kind) {
    case 'all':
      return true;
    case 'event':
      return segment.conditions.some((c) => c.kind === 'event' && c.event === change.name);
    case 'profile':
      return segment.conditions.some((c) => c.kind === 'property' || c.kind === 'tag');
    default:
      return assertUnreachable(change);
  }
}

/** Whether the rule has a windowed event condition (its answer can change with time alone). */
export const hasTimeWindow = (segment: Pick<Segment, 'conditions'>): boolean =>
  segment.conditions.some((c) => c.kind === 'event' && windowMs(c.within) !== undefined);

/** JSON with object keys sorted: a stored rule (DynamoDB keeps no key order) compares equal to its source. */
const canonical = (value: unknown): string =>
  Array.isArray(value)
    ? `[${value.map(canonical).join(',')}]`
    : value !== null && typeof value === 'object'
      ? `{${Object.keys(value)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
          .join(',')}}`
      : JSON.stringify(value);

const sameCondition = (a: Condition, b: Condition) => canonical(a) === canonical(b);

/**
 * Which contacts a rule change can move, so a change re-evaluates only them:
 * - `none`: the conditions are the same (a new name or description);
 * - `members`: the new rule only narrows the old one (every contact it admits, the old one
 *   admitted too: "all" with conditions added, or "any" with conditions removed), so only
 *   current members can leave and nobody new can enter;
 * - `contacts`: anything else; every contact is evaluated against this one segment.
 */
export function reevaluationScope(
  before: Pick<Segment, 'conditions' | 'match'>,
  after: Pick<Segment, 'conditions' | 'match'>,
): 'none' | 'members' | 'contacts' {
  const covers = (big: Condition[], small: Condition[]) => small.every((c) => big.some((b) => sameCondition(b, c)));
  const same =
    before.match === after.match &&
    covers(before.conditions, after.conditions) &&
    covers(after.conditions, before.conditions);
  if (same) return 'none';
  if (before.match === 'all' && after.match === 'all' && covers(after.conditions, before.conditions)) return 'members';
  if (before.match === 'any' && after.match === 'any' && covers(before.conditions, after.conditions)) return 'members';
  if (before.conditions.length === 1 && after.match === 'all' && covers(after.conditions, before.conditions))
    return 'members';
  return 'contacts';
}

const windowText = (w: EventWindow): string => {
  if (w === 'all-time') return 'ever';
  if (w === 'since-entry') return 'since entry';
  const parts = [
    w.days ? `${w.days} day${w.days === 1 ? '' : 's'}` : '',
    w.hours ? `${w.hours} hour${w.hours === 1 ? '' : 's'}` : '',
    w.minutes ? `${w.minutes} minute${w.minutes === 1 ? '' : 's'}` : '',
  ].filter(Boolean);
  return `in the last ${parts.join(' ')}`;
};

const opText: Record<string, string> = {
  eq: 'exactly',
  gt: 'more than',
  gte: 'at least',
  lt: 'fewer than',
  lte: 'at most',
};

/** A condition in words, for the dashboard and the CLI ("order.placed at least 2 times in the last 90 days"). */
export function describeCondition(c: Condition): string {
  switch (c.kind) {
    case 'property':
      return `${c.property} ${c.op}${c.value === undefined ? '' : ` ${JSON.stringify(c.value)}`}`;
    case 'tag':
      return c.has ? `tagged "${c.tag}"` : `not tagged "${c.tag}"`;
    case 'event': {
      const filters =
        c.where.length > 0
          ? ` where ${c.where.map((f) => `${f.path} ${f.op} ${JSON.stringify(f.value ?? '')}`).join(', ')}`
          : '';
      const count =
        c.count.op === 'eq' && c.count.value === 0
          ? `no ${c.event}${filters}`
          : c.count.op === 'gte' && c.count.value === 1
            ? `${c.event}${filters}`
            : `${c.event}${filters} ${opText[c.count.op]} ${c.count.value} time${c.count.value === 1 ? '' : 's'}`;
      return `${count} ${windowText(c.within)}`;
    }
    case 'trigger':
      return `triggered by ${c.event ?? 'any trigger'}`;
    case 'segment':
      return c.in ? `in segment "${c.segment}"` : `not in segment "${c.segment}"`;
    default:
      return assertUnreachable(c);
  }
}

/** The whole rule in words. */
export const describeSegment = (segment: Pick<Segment, 'conditions' | 'match'>): string =>
  segment.conditions.map(describeCondition).join(segment.match === 'all' ? ' and ' : ' or ');
