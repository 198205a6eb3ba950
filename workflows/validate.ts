import { EVENT_NAMES, STORED_SCORE_NAMES } from '#core/contact.ts';
import { isTimeZone } from '#core/time-zone.ts';
import { type Condition, type Filter, type Journey, type JourneyNode, journeySchema } from './journey.schema.ts';
import { durationSeconds, successorsOf, WAITING_TYPES } from './journey-nodes.ts';
import { longestWaitSeconds } from './paths.ts';
import { RESERVED_STATE_NAMES } from './states.ts';

export interface Violation {
  nodeId?: string;
  /** JSON path into the document, e.g. `$.nodes.reminder.template`. */
  path: string;
  /** What is wrong and how to fix it, in words a marketer uses. */
  message: string;
}

export type ValidationResult = { ok: true; journey: Journey } | { ok: false; violations: Violation[] };

/** What the validator checks names against; a set left out is not checked (offline use). */
export interface ValidationContext {
  templates: ReadonlySet<string>;
  topics?: ReadonlySet<string>;
  endpoints?: ReadonlySet<string>;
  /** Segment ids; when given, triggers and conditions must name one of them. */
  segments?: ReadonlySet<string>;
}

const ONE_YEAR_SECONDS = 365 * 86_400;
const MAX_NODES = 100;
const KNOWN_EVENTS: ReadonlySet<string> = new Set(EVENT_NAMES);
/** Contact fields a condition may read besides `properties.<key>`. */
export const CONTACT_FIELDS = ['email', 'phone', 'firstName', 'lastName', 'locale', 'timeZone', 'createdAt'] as const;
const NODE_TYPES = journeySchema.shape.nodes.valueType.options.map((o) => o.shape.type.value);

/**
 * Checks a journey document and returns every violation, each with the node id, the JSON path
 * and a sentence that says what to change. Pure: the API, the CLI, the CDK synth and the tests
 * share it.
 */
export function validateJourney(input: unknown, context: ValidationContext | ReadonlySet<string>): ValidationResult {
  const ctx: ValidationContext = context instanceof Set ? { templates: context } : (context as ValidationContext);
  const parsed = journeySchema.safeParse(input);
  if (!parsed.success) return { ok: false, violations: schemaViolations(input, parsed.error.issues) };
  const journey = parsed.data;
  const violations: Violation[] = [];
  const add = (v: Violation) => violations.push(v);
  const ids = Object.keys(journey.nodes);

  if (ids.length > MAX_NODES) {
    add({
      path: '$.nodes',
      message: `the journey has ${ids.length} nodes; at most ${MAX_NODES}. Fix: split it in two.`,
    });
  }
  if (!journey.nodes[journey.start]) {
    add({
      path: '$.start',
      message: `the journey starts at "${journey.start}", which is not a node. Fix: set "start" to one of ${list(ids)}.`,
    });
  }
  checkTriggers(journey, ctx, add);
  checkSettings(journey, ctx, add);
  for (const id of ids) checkNode(journey, id, journey.nodes[id] as JourneyNode, ctx, add);
  checkGraph(journey, add);
  return violations.length === 0 ? { ok: true, journey } : { ok: false, violations };
}

function checkTriggers(journey: Journey, ctx: ValidationContext, add: (v: Violation) => void) {
  journey.triggers.forEach((trigger, i) => {
    const path = `$.triggers[${i}]`;
    switch (trigger.type) {
      case 'event':
        checkEventName(trigger.event, `${path}.event`, `trigger ${i + 1}`, add);
        checkFilters(trigger.where, `${path}.where`, `trigger ${i + 1}`, undefined, add);
        break;
      case 'date':
        checkContactPath(trigger.property, `${path}.property`, `trigger ${i + 1}`, undefined, add);
        break;
      case 'inactivity':
        checkEventName(trigger.event, `${path}.event`, `trigger ${i + 1}`, add);
        if (durationSeconds(trigger.after) > ONE_YEAR_SECONDS) {
          add({
            path: `${path}.after`,
            message: `trigger ${i + 1} waits for more than a year of silence. Fix: use at most 365 days.`,
          });
        }
        break;
      case 'schedule':
        if (trigger.every === 'week' && !trigger.weekday) {
          add({
            path: `${path}.weekday`,
            message: `trigger ${i + 1} runs every week but names no weekday. Fix: add "weekday": "mon" (or another day).`,
          });
        }
        if (trigger.every === 'month' && !trigger.dayOfMonth) {
          add({
            path: `${path}.dayOfMonth`,
            message: `trigger ${i + 1} runs every month but names no day. Fix: add "dayOfMonth" from 1 to 28.`,
          });
        }
        checkConditions(trigger.audience, `${path}.audience`, `trigger ${i + 1}`, undefined, journey, add, ctx);
        break;
      case 'segment':
        checkSegment(trigger.segment, `${path}.segment`, `trigger ${i + 1}`, undefined, ctx, add);
        break;
    }
  });
}

function checkSettings(journey: Journey, ctx: ValidationContext, add: (v: Violation) => void) {
  const { settings } = journey;
  checkConditions(settings.exitWhen, '$.settings.exitWhen', 'the exit rule', undefined, journey, add, ctx);
  if (settings.goal) {
    checkEventName(settings.goal.event, '$.settings.goal.event', 'the goal', add);
    checkFilters(settings.goal.where, '$.settings.goal.where', 'the goal', undefined, add);
    if (durationSeconds(settings.goal.within) > ONE_YEAR_SECONDS) {
      add({
        path: '$.settings.goal.within',
        message: 'the conversion window is longer than a year. Fix: use at most 365 days.',
      });
    }
  }
  if (!isTimeZone(settings.timeZone)) {
    add({
      path: '$.settings.timeZone',
      message: `"${settings.timeZone}" is not a time zone. Fix: use an IANA name such as "Europe/Paris".`,
    });
  }
  if (settings.reentry.mode === 'never' && settings.maxEntries !== undefined && settings.maxEntries > 1) {
    add({
      path: '$.settings.maxEntries',
      message: `re-entry is "never", so "maxEntries": ${settings.maxEntries} can never be reached. Fix: remove maxEntries or allow re-entry.`,
    });
  }
}

function checkNode(
  journey: Journey,
  id: string,
  node: JourneyNode,
  ctx: ValidationContext,
  add: (v: Violation) => void,
) {
  const path = `$.nodes.${id}`;
  const here = (field: string, message: string) => add({ nodeId: id, path: `${path}.${field}`, message });
  if (RESERVED_STATE_NAMES.has(id)) {
    add({
      nodeId: id,
      path,
      message: `"${id}" is a name Tend keeps for itself. Fix: rename the node, e.g. "${id}-step".`,
    });
  }
  for (const { field, id: target } of successorsOf(node)) {
    if (!journey.nodes[target]) {
      here(
        field,
        `"${id}" leads to "${target}", which is not a node. Fix: add a node "${target}" or point ${field} at ${list(Object.keys(journey.nodes))}.`,
      );
    } else if (target === id) {
      here(field, `"${id}" leads to itself. Fix: point ${field} at another node.`);
    }
  }
  switch (node.type) {
    case 'wait':
      if (durationSeconds(node.duration) > ONE_YEAR_SECONDS) {
        here(
          'duration',
          `"${id}" waits longer than one year. Fix: wait at most 365 days (Step Functions ends executions after a year).`,
        );
      }
      break;
    case 'wait-until':
      if ('property' in node.until) checkContactPath(node.until.property, `${path}.until.property`, `"${id}"`, id, add);
      break;
    case 'wait-for-event':
      checkEventName(node.event, `${path}.event`, `"${id}"`, add, id);
      checkFilters(node.where, `${path}.where`, `"${id}"`, id, add);
      if (durationSeconds(node.timeout) > ONE_YEAR_SECONDS) {
        here('timeout', `"${id}" waits longer than one year. Fix: use a timeout of at most 365 days.`);
      }
      if (node.correlate) {
        journey.triggers.forEach((t, i) => {
          if (t.type !== 'event' || !t.correlationKey) {
            here(
              'correlate',
              `"${id}" waits for the same ${firstCorrelationKey(journey) ?? 'correlation value'} as the trigger, but trigger ${i + 1} (${t.type === 'event' ? t.event : t.type}) has no correlation key. Fix: add "correlationKey" to that trigger or set "correlate": false.`,
            );
          }
        });
      }
      if (node.next === node.onTimeout) {
        here(
          'onTimeout',
          `"${id}" goes to "${node.next}" whether the event comes or not, so the wait decides nothing. Fix: use a plain wait, or give onTimeout its own node.`,
        );
      }
      break;
    case 'branch':
      checkConditions(node.conditions, `${path}.conditions`, `"${id}"`, id, journey, add, ctx);
      if (node.onTrue === node.onFalse) {
        here(
          'onFalse',
          `both outcomes of "${id}" go to "${node.onTrue}", so the branch decides nothing. Fix: point onTrue and onFalse at different nodes.`,
        );
      }
      break;
    case 'split': {
      for (const [i, b] of node.branches.entries()) {
        checkConditions(
          b.conditions,
          `${path}.branches[${i}].conditions`,
          `"${id}" branch "${b.name}"`,
          id,
          journey,
          add,
          ctx,
        );
      }
      checkUniqueNames(node.branches, id, path, add);
      break;
    }
    case 'random-split': {
      const total = node.branches.reduce((sum, b) => sum + b.percent, 0);
      if (total !== 100) {
        here(
          'branches',
          `the percentages of "${id}" add up to ${total}, not 100. Fix: change them so they sum to 100.`,
        );
      }
      checkUniqueNames(node.branches, id, path, add);
      break;
    }
    case 'send-email':
      if (!ctx.templates.has(node.template)) {
        here(
          'template',
          `"${id}" sends template "${node.template}", which does not exist.${suggest(node.template, ctx.templates)} Fix: save the template first or pick one of ${list([...ctx.templates])}.`,
        );
      }
      if (node.topic && ctx.topics && !ctx.topics.has(node.topic)) {
        here(
          'topic',
          `"${id}" uses subscription topic "${node.topic}", which does not exist. Fix: use one of ${list([...ctx.topics])}.`,
        );
      }
      break;
    case 'update-contact':
      node.changes.forEach((change, i) => {
        if (change.op === 'set-from-events') {
          checkEventName(change.event, `${path}.changes[${i}].event`, `"${id}"`, add, id);
          checkFilters(change.where, `${path}.changes[${i}].where`, `"${id}"`, id, add);
          if (change.aggregate === 'sum' && !change.path) {
            here(
              `changes[${i}].path`,
              `"${id}" sums ${change.event} but says not which value. Fix: add "path", e.g. "total.amountMinor".`,
            );
          }
        }
      });
      break;
    case 'webhook':
      if (ctx.endpoints && !ctx.endpoints.has(node.endpoint)) {
        here(
          'endpoint',
          `"${id}" posts to endpoint "${node.endpoint}", which does not exist. Fix: create it with "tend endpoints create" or use one of ${list([...ctx.endpoints])}.`,
        );
      }
      break;
    case 'notify-owner':
    case 'goal':
    case 'exit':
      break;
  }
}

function checkGraph(journey: Journey, add: (v: Violation) => void) {
  const ids = Object.keys(journey.nodes);
  const reachable = new Set<string>();
  const queue = journey.nodes[journey.start] ? [journey.start] : [];
  while (queue.length > 0) {
    const id = queue.pop() as string;
    if (reachable.has(id)) continue;
    reachable.add(id);
    const node = journey.nodes[id];
    if (node) queue.push(...successorsOf(node).map((s) => s.id));
  }
  for (const id of ids) {
    if (!reachable.has(id)) {
      add({
        nodeId: id,
        path: `$.nodes.${id}`,
        message: `"${id}" can never be reached from "${journey.start}". Fix: point a node's next at it, or delete it.`,
      });
    }
  }
  const ends = ids.filter((id) => {
    const node = journey.nodes[id] as JourneyNode;
    return node.type === 'exit' || (node.type === 'goal' && !node.next);
  });
  if (ends.length === 0) {
    add({
      path: '$.nodes',
      message: 'no path can end: the journey has no exit node. Fix: add { "type": "exit" } and lead to it.',
    });
  }
  for (const loop of findLoops(journey)) {
    const waits = loop.some((id) => WAITING_TYPES.has((journey.nodes[id] as JourneyNode).type));
    const first = loop[0] as string;
    add({
      nodeId: first,
      path: `$.nodes.${first}`,
      message: waits
        ? `the journey loops ${loop.join(' → ')} → ${first}. A contact could stay in it past the one-year limit of a Step Functions execution. Fix: end the loop in an exit.`
        : `the journey loops ${loop.join(' → ')} → ${first} without a wait, so a contact would go round it without end. Fix: end the loop in an exit.`,
    });
  }
  const longest = longestWaitSeconds(journey);
  if (longest !== undefined && longest.seconds > ONE_YEAR_SECONDS) {
    add({
      nodeId: longest.at,
      path: `$.nodes.${longest.at}`,
      message: `the path through "${longest.at}" waits ${Math.round(longest.seconds / 86_400)} days in all; Step Functions ends executions after one year. Fix: shorten the waits on that path.`,
    });
  }
}

/** Each elementary cycle once, as the node ids along it (found by DFS back edges). */
function findLoops(journey: Journey): string[][] {
  const loops: string[][] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string) => {
    state.set(id, 'visiting');
    stack.push(id);
    const node = journey.nodes[id];
    for (const { id: next } of node ? successorsOf(node) : []) {
      if (!journey.nodes[next] || next === id) continue;
      const seen = state.get(next);
      if (seen === 'visiting') loops.push(stack.slice(stack.indexOf(next)));
      else if (seen === undefined) visit(next);
    }
    stack.pop();
    state.set(id, 'done');
  };
  for (const id of Object.keys(journey.nodes)) if (!state.has(id)) visit(id);
  return loops;
}

function checkUniqueNames(branches: { name: string }[], id: string, path: string, add: (v: Violation) => void) {
  const seen = new Set<string>();
  branches.forEach((b, i) => {
    if (seen.has(b.name)) {
      add({
        nodeId: id,
        path: `${path}.branches[${i}].name`,
        message: `"${id}" has two branches named "${b.name}". Fix: give each branch its own name; reports count by it.`,
      });
    }
    seen.add(b.name);
  });
}

function checkConditions(
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
function checkSegment(
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

function checkFilters(
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

function checkContactPath(
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

function checkEventName(name: string, path: string, where: string, add: (v: Violation) => void, nodeId?: string) {
  if (KNOWN_EVENTS.has(name)) return;
  add({
    nodeId,
    path,
    message: `${where} names the event "${name}", which Tend does not know.${suggest(name, KNOWN_EVENTS)} Fix: use a canonical event name.`,
  });
}

const firstCorrelationKey = (journey: Journey) =>
  journey.triggers.find((t) => t.type === 'event' && t.correlationKey)?.type === 'event'
    ? (journey.triggers.find((t) => t.type === 'event' && t.correlationKey) as { correlationKey: string })
        .correlationKey
    : undefined;

const list = (items: string[]) =>
  items.length === 0
    ? '(none)'
    : items.length <= 8
      ? items.map((i) => `"${i}"`).join(', ')
      : `${items
          .slice(0, 8)
          .map((i) => `"${i}"`)
          .join(', ')}, …`;

/** " Did you mean "x"?" when a known name is within two edits. */
function suggest(name: string, known: Iterable<string>): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best ? ` Did you mean "${best}"?` : '';
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const saved = row[j] as number;
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = saved;
    }
  }
  return row[b.length] as number;
}

interface ZodIssueLike {
  path: PropertyKey[];
  message: string;
  code?: string;
}

/** Zod's issues as violations, with the node named and the unknown node type spelled out. */
/** A zod issue path as the JSON path violations name (`$.nodes.welcome.next`, `$.triggers[0]`). */
export const jsonPath = (path: readonly PropertyKey[]): string =>
  `$${path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}`;

function schemaViolations(input: unknown, issues: readonly ZodIssueLike[]): Violation[] {
  return issues.map((issue) => {
    const nodeId = issue.path[0] === 'nodes' && typeof issue.path[1] === 'string' ? issue.path[1] : undefined;
    const path = jsonPath(issue.path);
    if (nodeId && issue.path.length <= 3 && (issue.path[2] === 'type' || issue.path.length === 2)) {
      const type = (input as { nodes?: Record<string, { type?: unknown }> }).nodes?.[nodeId]?.type;
      if (typeof type !== 'string' || !(NODE_TYPES as string[]).includes(type)) {
        return {
          nodeId,
          path: `$.nodes.${nodeId}.type`,
          message: `"${nodeId}" has type ${JSON.stringify(type ?? null)}, which journeys do not have. Fix: use one of ${NODE_TYPES.map((t) => `"${t}"`).join(', ')}.`,
        };
      }
    }
    const field = issue.path.length > 0 ? String(issue.path[issue.path.length - 1]) : 'the document';
    const where = nodeId
      ? `"${nodeId}"`
      : issue.path[0] === 'triggers'
        ? `trigger ${Number(issue.path[1]) + 1}`
        : 'the journey';
    return { nodeId, path, message: `${where}: ${field} — ${issue.message}.` };
  });
}
