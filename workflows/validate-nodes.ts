import type { Journey, JourneyNode } from './journey.schema.ts';
import { durationSeconds, successorsOf } from './journey-nodes.ts';
import { RESERVED_STATE_NAMES } from './states.ts';
import { checkConditions, checkContactPath, checkEventName, checkFilters } from './validate-conditions.ts';
import { list, ONE_YEAR_SECONDS, suggest, type ValidationContext, type Violation } from './violations.ts';

/** Checks one node: its name, its successors, and what its type names or must respect. */
export function checkNode(
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

const firstCorrelationKey = (journey: Journey) =>
  journey.triggers.find((t) => t.type === 'event' && t.correlationKey)?.type === 'event'
    ? (journey.triggers.find((t) => t.type === 'event' && t.correlationKey) as { correlationKey: string })
        .correlationKey
    : undefined;
