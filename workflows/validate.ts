import { assertUnreachable } from '#domain/assert.ts';
import { durationSeconds, type Journey, type JourneyNode, journeySchema } from './journey.schema.ts';

export interface Violation {
  nodeId?: string;
  path: string;
  message: string;
}

export type ValidationResult = { ok: true; journey: Journey } | { ok: false; violations: Violation[] };

const RESERVED_STATE_NAMES = new Set(['on-error', 'failed']);
const ONE_YEAR_SECONDS = 366 * 86_400;

const successors = (node: JourneyNode): string[] => {
  switch (node.type) {
    case 'send-email':
    case 'wait':
      return [node.next];
    case 'exit':
      return [];
    default:
      return assertUnreachable(node);
  }
};

/**
 * Checks a journey document and returns every violation, each with the node id and JSON path.
 * Pure: no I/O, so the API, the CLI and the tests share it.
 */
export function validateJourney(input: unknown, knownTemplates: ReadonlySet<string>): ValidationResult {
  const parsed = journeySchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      violations: parsed.error.issues.map((issue) => ({
        nodeId: issue.path[0] === 'nodes' && typeof issue.path[1] === 'string' ? issue.path[1] : undefined,
        path: `$${issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}`,
        message: issue.message,
      })),
    };
  }
  const journey = parsed.data;
  const violations: Violation[] = [];
  const ids = Object.keys(journey.nodes);
  if (!journey.nodes[journey.start]) {
    violations.push({ path: '$.start', message: `the journey starts at "${journey.start}", which is not a node` });
  }
  for (const id of ids) {
    const node = journey.nodes[id] as JourneyNode;
    const path = `$.nodes.${id}`;
    if (RESERVED_STATE_NAMES.has(id)) {
      violations.push({ nodeId: id, path, message: `"${id}" is reserved for error handling; rename the node` });
    }
    for (const next of successors(node)) {
      if (!journey.nodes[next]) {
        violations.push({
          nodeId: id,
          path: `${path}.next`,
          message: `"${id}" leads to "${next}", which is not a node`,
        });
      }
    }
    if (node.type === 'send-email' && !knownTemplates.has(node.template)) {
      violations.push({
        nodeId: id,
        path: `${path}.template`,
        message: `"${id}" sends template "${node.template}", which does not exist`,
      });
    }
    if (node.type === 'wait' && durationSeconds(node.duration) > ONE_YEAR_SECONDS) {
      violations.push({ nodeId: id, path: `${path}.duration`, message: `"${id}" waits longer than one year` });
    }
  }
  const reachable = new Set<string>();
  const queue = journey.nodes[journey.start] ? [journey.start] : [];
  while (queue.length > 0) {
    const id = queue.pop() as string;
    if (reachable.has(id)) continue;
    reachable.add(id);
    const node = journey.nodes[id];
    if (node) queue.push(...successors(node));
  }
  for (const id of ids) {
    if (!reachable.has(id)) {
      violations.push({
        nodeId: id,
        path: `$.nodes.${id}`,
        message: `"${id}" can never be reached from "${journey.start}"`,
      });
    }
  }
  if (!ids.some((id) => journey.nodes[id]?.type === 'exit')) {
    violations.push({ path: '$.nodes', message: 'the journey has no exit node, so no path can end' });
  }
  if (hasLoop(journey)) {
    violations.push({ path: '$.nodes', message: 'the journey loops back on itself; this version allows no loops' });
  }
  return violations.length === 0 ? { ok: true, journey } : { ok: false, violations };
}

function hasLoop(journey: Journey): boolean {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string): boolean => {
    const seen = state.get(id);
    if (seen === 'visiting') return true;
    if (seen === 'done') return false;
    state.set(id, 'visiting');
    const node = journey.nodes[id];
    const loops = node ? successors(node).some(visit) : false;
    state.set(id, 'done');
    return loops;
  };
  return Object.keys(journey.nodes).some(visit);
}
