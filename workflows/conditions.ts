import { assertUnreachable } from '#core/assert.ts';
import type { Condition, EventWindow, Filter } from './condition.schema.ts';
import type { ContactChange } from './journey.schema.ts';
import { durationSeconds } from './journey-nodes.ts';

/**
 * Pure evaluation of the journey language's tests: the step Lambda, the exit and goal checks
 * on ingest, and the simulator all call these, so a backtest decides exactly as production.
 */

export type Scalar = string | number | boolean | null;

/** What conditions may read of a contact. */
export interface ContactFacts {
  email?: string;
  phone?: string;
  firstName?: string;
  lastName?: string;
  locale?: string;
  timeZone?: string;
  createdAt?: string;
  properties: Record<string, Scalar>;
  tags?: readonly string[];
  /** Ids of the segments the contact is a member of (stored memberships, kept current). */
  segments?: readonly string[];
  /** Stored lifecycle scores (`scores.churnRisk`, `scores.rfm`, `scores.leadScore`, `scores.loyaltyTier`). */
  scores?: Record<string, Scalar>;
}

/** An event as conditions see it (timeline entries and scripted simulator events alike). */
export interface EventFact {
  /** The timeline event id, when known (the trigger event is told apart by it). */
  id?: string;
  name: string;
  /** ISO timestamp. */
  at: string;
  data: Record<string, unknown>;
}

export interface TriggerFact {
  type: 'event' | 'date' | 'inactivity' | 'schedule' | 'segment';
  name?: string;
  data?: Record<string, unknown>;
}

export interface EvaluationContext {
  contact: ContactFacts;
  /** The contact's events up to now (any order). */
  events: readonly EventFact[];
  now: Date;
  /** When the contact entered the journey (for `since-entry`): the triggering event's time. */
  enteredAt?: string;
  /** The triggering event, which `since-entry` windows leave out. */
  triggerEventId?: string;
  trigger?: TriggerFact;
}

/** Reads `a.b.c` out of nested objects; undefined when any step is missing. */
export function readPath(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** A contact value by condition path: a top-level field, `properties.<key>` or `scores.<name>`. */
export function contactValue(contact: ContactFacts, property: string): unknown {
  if (property.startsWith('properties.')) return contact.properties[property.slice('properties.'.length)];
  if (property.startsWith('scores.')) return contact.scores?.[property.slice('scores.'.length)];
  return (contact as unknown as Record<string, unknown>)[property];
}

const asNumber = (v: unknown): number | undefined => {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
};

/** Orders two values: numerically when both are numbers, else as strings (ISO dates sort). */
function order(a: unknown, b: unknown): number | undefined {
  const x = asNumber(a);
  const y = asNumber(b);
  if (x !== undefined && y !== undefined) return x - y;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return undefined;
}

const equal = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  const x = asNumber(a);
  const y = asNumber(b);
  return x !== undefined && y !== undefined && typeof a !== typeof b ? x === y : false;
};

/** Applies one comparison to a value found by a path. */
export function compare(actual: unknown, op: Filter['op'], expected: Filter['value']): boolean {
  switch (op) {
    case 'exists':
      return actual !== undefined && actual !== null && actual !== '';
    case 'not-exists':
      return actual === undefined || actual === null || actual === '';
    case 'eq':
      return equal(actual, expected);
    case 'neq':
      return !equal(actual, expected);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const c = order(actual, expected);
      if (c === undefined) return false;
      return op === 'gt' ? c > 0 : op === 'gte' ? c >= 0 : op === 'lt' ? c < 0 : c <= 0;
    }
    case 'contains':
      if (typeof actual === 'string') return typeof expected === 'string' && actual.includes(expected);
      if (Array.isArray(actual)) return actual.some((item) => equal(item, expected));
      return false;
    case 'in':
      return Array.isArray(expected) && expected.some((item) => equal(actual, item));
    default:
      return assertUnreachable(op);
  }
}

/** Whether every filter holds on the data. */
export function matchesFilters(data: unknown, filters: readonly Filter[]): boolean {
  return filters.every((f) => compare(readPath(data, f.path), f.op, f.value));
}

/** Whether an event at `at` falls in the window, seen from `now`. */
export function inWindow(at: string, window: EventWindow, now: Date, enteredAt?: string): boolean {
  const time = Date.parse(at);
  if (time > now.getTime()) return false;
  if (window === 'all-time') return true;
  if (window === 'since-entry') return enteredAt === undefined || time >= Date.parse(enteredAt);
  return time > now.getTime() - durationSeconds(window) * 1000;
}

/** The events of one name matching filters and a window. */
export function eventsMatching(
  ctx: EvaluationContext,
  name: string,
  filters: readonly Filter[],
  window: EventWindow,
): EventFact[] {
  return ctx.events.filter(
    (e) =>
      e.name === name &&
      inWindow(e.at, window, ctx.now, ctx.enteredAt) &&
      !(window === 'since-entry' && e.id !== undefined && e.id === ctx.triggerEventId) &&
      matchesFilters(e.data, filters),
  );
}

export function evaluateCondition(condition: Condition, ctx: EvaluationContext): boolean {
  switch (condition.kind) {
    case 'property':
      return compare(contactValue(ctx.contact, condition.property), condition.op, condition.value);
    case 'tag':
      return (ctx.contact.tags ?? []).includes(condition.tag) === condition.has;
    case 'event': {
      const n = eventsMatching(ctx, condition.event, condition.where, condition.within).length;
      return compare(n, condition.count.op, condition.count.value);
    }
    case 'trigger': {
      if (!ctx.trigger) return false;
      const name = ctx.trigger.type === 'event' ? ctx.trigger.name : ctx.trigger.type;
      if (condition.event && condition.event !== name) return false;
      return matchesFilters(ctx.trigger.data ?? {}, condition.where);
    }
    case 'segment':
      return (ctx.contact.segments ?? []).includes(condition.segment) === condition.in;
    default:
      return assertUnreachable(condition);
  }
}

/** What conditions or changes read besides the profile: events, segment memberships, the trigger. */
export interface FactNeeds {
  events: boolean;
  segments: boolean;
  trigger: boolean;
}

export const NO_FACT_NEEDS: FactNeeds = { events: false, segments: false, trigger: false };

/** Both needs together. */
export const unionNeeds = (a: FactNeeds, b: FactNeeds): FactNeeds => ({
  events: a.events || b.events,
  segments: a.segments || b.segments,
  trigger: a.trigger || b.trigger,
});

/** The facts these conditions read (a property condition on `segments` reads the memberships). */
export function conditionNeeds(conditions: readonly Condition[]): FactNeeds {
  return {
    events: conditions.some((c) => c.kind === 'event'),
    segments: conditions.some((c) => c.kind === 'segment' || (c.kind === 'property' && c.property === 'segments')),
    trigger: conditions.some((c) => c.kind === 'trigger'),
  };
}

/** The facts an update-contact node's changes read. */
export function changeNeeds(changes: readonly ContactChange[]): FactNeeds {
  return {
    events: changes.some((c) => c.op === 'set-from-events'),
    segments: false,
    trigger: changes.some((c) => c.op === 'set-from-trigger'),
  };
}

/** `all` of the conditions, or `any`. */
export function evaluateConditions(
  conditions: readonly Condition[],
  match: 'all' | 'any',
  ctx: EvaluationContext,
): boolean {
  return match === 'all'
    ? conditions.every((c) => evaluateCondition(c, ctx))
    : conditions.some((c) => evaluateCondition(c, ctx));
}

/** The exit rule: the first condition that holds (any one ends the enrollment), if one does. */
export function exitConditionHolding(conditions: readonly Condition[], ctx: EvaluationContext): number | undefined {
  const index = conditions.findIndex((c) => evaluateCondition(c, ctx));
  return index === -1 ? undefined : index;
}

/** The profile edits an update-contact node makes, computed from the facts. */
export interface ContactEdits {
  set: Record<string, Scalar>;
  unset: string[];
  addTags: string[];
  removeTags: string[];
}

/** Turns update-contact changes into concrete edits. Pure; increments read the current value. */
export function contactEdits(changes: readonly ContactChange[], ctx: EvaluationContext): ContactEdits {
  const edits: ContactEdits = { set: {}, unset: [], addTags: [], removeTags: [] };
  const current = (key: string): unknown => (key in edits.set ? edits.set[key] : ctx.contact.properties[key]);
  for (const change of changes) {
    switch (change.op) {
      case 'set':
        edits.set[change.property] = change.value;
        break;
      case 'set-from-trigger': {
        const value = readPath(ctx.trigger?.data ?? {}, change.path);
        if (value === undefined || value === null) break;
        edits.set[change.property] = typeof value === 'object' ? JSON.stringify(value) : (value as Scalar);
        break;
      }
      case 'unset':
        edits.unset.push(change.property);
        delete edits.set[change.property];
        break;
      case 'increment':
        edits.set[change.property] = (asNumber(current(change.property)) ?? 0) + change.by;
        break;
      case 'set-from-events': {
        const events = eventsMatching(ctx, change.event, change.where, change.within);
        const total =
          change.aggregate === 'count'
            ? events.length
            : events.reduce((sum, e) => sum + (asNumber(readPath(e.data, change.path ?? '')) ?? 0), 0);
        edits.set[change.property] = Math.floor(total / change.divideBy);
        break;
      }
      case 'add-tag':
        edits.addTags.push(change.tag);
        break;
      case 'remove-tag':
        edits.removeTags.push(change.tag);
        break;
      default:
        assertUnreachable(change);
    }
  }
  return edits;
}

/**
 * A stable number in [0, 100) from an id: random splits and holdouts pick by it, so a replay,
 * a retry and the simulator all pick the same.
 */
export function bucketOf(...parts: string[]): number {
  // FNV-1a over the parts: tiny, dependency-free, and evenly spread for ids.
  let hash = 0x811c9dc5;
  for (const char of parts.join('\u0000')) {
    hash ^= char.codePointAt(0) as number;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return (hash % 10_000) / 100;
}

/** The random-split branch for an enrollment. */
export function pickRandomBranch<T extends { percent: number }>(
  branches: readonly T[],
  enrollmentId: string,
  nodeId: string,
): T {
  const point = bucketOf(enrollmentId, nodeId);
  let edge = 0;
  for (const branch of branches) {
    edge += branch.percent;
    if (point < edge) return branch;
  }
  return branches[branches.length - 1] as T;
}
