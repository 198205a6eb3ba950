import { isTimeZone } from '#core/time-zone.ts';
import { type Journey, type JourneyNode, journeySchema } from './journey.schema.ts';
import { durationSeconds } from './journey-nodes.ts';
import { schemaViolations } from './schema-violations.ts';
import {
  checkConditions,
  checkContactPath,
  checkEventName,
  checkFilters,
  checkSegment,
} from './validate-conditions.ts';
import { checkGraph } from './validate-graph.ts';
import { checkNode } from './validate-nodes.ts';
import { list, ONE_YEAR_SECONDS, type ValidationContext, type Violation } from './violations.ts';

export type ValidationResult = { ok: true; journey: Journey } | { ok: false; violations: Violation[] };

const MAX_NODES = 100;

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
