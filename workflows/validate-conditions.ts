import { EVENT_NAMES, STORED_SCORE_NAMES } from '#core/contact.ts';
import type { Condition, Filter } from './condition.schema.ts';
import type { Journey } from './journey.schema.ts';
import { list, suggest, type ValidationContext, type Violation } from './violations.ts';

const KNOWN_EVENTS: ReadonlySet<string> = new Set(EVENT_NAMES);
/** Contact fields a condition may read besides `properties.<key>`. */
export const CONTACT_FIELDS = ['email', 'phone', 'firstName', 'lastName', 'locale', 'timeZone', 'createdAt'] as const;

/** Checks conditions: the contact values, events, triggers and segments they name, and their comparisons. */
export function checkConditions(
  conditions: Condition[],
  path: string,
  where: string,
  nodeId: string | undefined,
  journey: Journey,
  add: (v: Violation) => void,
  ctx: ValidationContext,
) {
  conditions.forEach((c, i) => {
    const at = `${path}[${i}]`;
    switch (c.kind) {
      case 'property':
        checkContactPath(c.property, `${at}.property`, where, nodeId, add);
        checkComparison(c.op, c.value, `${at}`, where, nodeId, add);
        break;
      case 'tag':
        break;
      case 'event':
        checkEventName(c.event, `${at}.event`, where, add, nodeId);
        checkFilters(c.where, `${at}.where`, where, nodeId, add);
        break;
      case 'trigger': {
        const names = journey.triggers.map((t) => (t.type === 'event' ? t.event : t.type));
        if (c.event && !names.includes(c.event)) {
          add({
            nodeId,
            path: `${at}.event`,
            message: `${where} tests for trigger "${c.event}", but the journey's triggers are ${list(names)}. Fix: use one of them.`,
          });
        }
        checkFilters(c.where, `${at}.where`, where, nodeId, add);
        break;
      }
      case 'segment':
        checkSegment(c.segment, `${at}.segment`, where, nodeId, ctx, add);
        break;
    }
  });
}

/** A segment a trigger or condition names must exist (when the caller knows the segments). */
export function checkSegment(
  segment: string,
  path: string,
  where: string,
  nodeId: string | undefined,
  ctx: ValidationContext,
  add: (v: Violation) => void,
) {
  if (!ctx.segments || ctx.segments.has(segment)) return;
  add({
    nodeId,
    path,
    message: `${where} names the segment "${segment}", which does not exist.${suggest(segment, ctx.segments)} Fix: create it first (tend segments save) or use one of ${list([...ctx.segments])}.`,
  });
}

/** Checks filters on an event's data: each comparison has the value its operator takes. */
export function checkFilters(
  filters: Filter[],
  path: string,
  where: string,
  nodeId: string | undefined,
  add: (v: Violation) => void,
) {
  for (const [i, f] of filters.entries()) checkComparison(f.op, f.value, `${path}[${i}]`, where, nodeId, add);
}

function checkComparison(
  op: Filter['op'],
  value: Filter['value'],
  path: string,
  where: string,
  nodeId: string | undefined,
  add: (v: Violation) => void,
) {
  const unary = op === 'exists' || op === 'not-exists';
  if (unary && value !== undefined) {
    add({
      nodeId,
      path: `${path}.value`,
      message: `${where} checks "${op}", which takes no value. Fix: remove "value".`,
    });
  } else if (!unary && value === undefined) {
    add({
      nodeId,
      path: `${path}.value`,
      message: `${where} compares with "${op}" but gives no value. Fix: add "value".`,
    });
  } else if (op === 'in' && !Array.isArray(value)) {
    add({
      nodeId,
      path: `${path}.value`,
      message: `${where} uses "in", which needs a list. Fix: write "value": [ ... ].`,
    });
  } else if (op !== 'in' && Array.isArray(value)) {
    add({
      nodeId,
      path: `${path}.value`,
      message: `${where} compares with "${op}" against a list. Fix: use "in", or a single value.`,
    });
  }
}

/** A contact value a rule reads must exist: a profile field, `properties.<key>` or a stored score. */
export function checkContactPath(
  property: string,
  path: string,
  where: string,
  nodeId: string | undefined,
  add: (v: Violation) => void,
) {
  const known =
    (CONTACT_FIELDS as readonly string[]).includes(property) ||
    /^properties\.[A-Za-z][A-Za-z0-9_]*$/.test(property) ||
    (STORED_SCORE_NAMES as readonly string[]).map((n) => `scores.${n}`).includes(property);
  if (!known) {
    add({
      nodeId,
      path,
      message: `${where} reads "${property}", which is not a contact value. Fix: use ${list([...CONTACT_FIELDS])}, "properties.<key>" or a score (${list(STORED_SCORE_NAMES.map((n) => `scores.${n}`))})${/^[A-Za-z]\w*$/.test(property) ? ` (e.g. "properties.${property}")` : ''}.`,
    });
  }
}

/** An event a rule names must be a canonical event name. */
export function checkEventName(
  name: string,
  path: string,
  where: string,
  add: (v: Violation) => void,
  nodeId?: string,
) {
  if (KNOWN_EVENTS.has(name)) return;
  add({
    nodeId,
    path,
    message: `${where} names the event "${name}", which Tend does not know.${suggest(name, KNOWN_EVENTS)} Fix: use a canonical event name.`,
  });
}
