import { assertUnreachable } from '#core/assert.ts';
import type { Journey, JourneyNode } from './journey.schema.ts';
import { DECISION_TYPES, durationSeconds, successorsOf } from './journey-nodes.ts';

const DECISIONS: ReadonlySet<JourneyNode['type']> = new Set(DECISION_TYPES);

/**
 * Decisions that run in the same function call as the contact update before them, so they have
 * no Task state (and no invocation) of their own: update-contact id → decision id. A decision is
 * fused when a contact update is its only way in and it is not the start, so the update and the
 * choice it feeds (a tier split after the points are added) cost one invocation, one read of the
 * enrollment and one visit write instead of two each.
 */
export function fusedDecisions(journey: Journey): ReadonlyMap<string, string> {
  const ways = new Map<string, number>();
  for (const node of Object.values(journey.nodes)) {
    for (const id of new Set(successorsOf(node).map((s) => s.id))) ways.set(id, (ways.get(id) ?? 0) + 1);
  }
  const fused = new Map<string, string>();
  for (const [id, node] of Object.entries(journey.nodes)) {
    if (node.type !== 'update-contact') continue;
    const next = journey.nodes[node.next];
    if (
      next &&
      DECISIONS.has(next.type) &&
      node.next !== journey.start &&
      node.next !== id &&
      ways.get(node.next) === 1
    ) {
      fused.set(id, node.next);
    }
  }
  return fused;
}

/**
 * State transitions a node costs when an enrollment passes through it once, as compiled by
 * `compile.ts` (Step Functions Standard bills each state entered). A deferred send loops
 * through two more states per deferral; retries also count but are not planned for. A fused
 * decision (see `fusedDecisions`) costs only its Choice.
 */
export function transitionsOf(node: JourneyNode, fused = false): number {
  if (fused && DECISIONS.has(node.type)) return 1;
  switch (node.type) {
    case 'wait':
    case 'wait-for-event':
    case 'update-contact':
    case 'webhook':
    case 'notify-owner':
    case 'goal':
    case 'exit':
      return 1;
    case 'send-email': // the send, then the check for a deferral
    case 'wait-until': // the computed time, then the Wait
    case 'branch': // the evaluation, then the Choice
    case 'split':
    case 'random-split':
      return 2;
    default:
      return assertUnreachable(node);
  }
}

export interface JourneyPath {
  /** Node ids from the start to an end. */
  nodes: string[];
  transitions: number;
  /** The branch taken at each fork, e.g. `wait-order: timeout`. */
  choices: string[];
}

export interface PathReport {
  paths: JourneyPath[];
  /** True when there were more paths than `limit` (only the first ones are listed). */
  truncated: boolean;
  minTransitions: number;
  maxTransitions: number;
}

/**
 * Every path from the start to an end, with the transitions it costs: what an enrollment on
 * that path is billed. Assumes a valid (loop-free) journey.
 */
export function pathsOf(journey: Journey, limit = 200): PathReport {
  const paths: JourneyPath[] = [];
  let truncated = false;
  const fused = new Set(fusedDecisions(journey).values());
  const walk = (id: string, nodes: string[], choices: string[], transitions: number) => {
    if (paths.length >= limit) {
      truncated = true;
      return;
    }
    const node = journey.nodes[id];
    if (!node || nodes.includes(id)) return;
    const here = [...nodes, id];
    const cost = transitions + transitionsOf(node, fused.has(id));
    const next = successorsOf(node);
    if (next.length === 0) {
      paths.push({ nodes: here, transitions: cost, choices });
      return;
    }
    for (const successor of next) {
      const label = next.length > 1 ? [...choices, `${id}: ${branchLabel(node, successor.field)}`] : choices;
      walk(successor.id, here, label, cost);
    }
  };
  walk(journey.start, [], [], 0);
  const counts = paths.map((p) => p.transitions);
  return {
    paths,
    truncated,
    minTransitions: counts.length ? Math.min(...counts) : 0,
    maxTransitions: counts.length ? Math.max(...counts) : 0,
  };
}

function branchLabel(node: JourneyNode, field: string): string {
  const index = /^branches\[(\d+)\]/.exec(field)?.[1];
  if (index !== undefined && (node.type === 'split' || node.type === 'random-split')) {
    return node.branches[Number(index)]?.name ?? field;
  }
  if (field === 'onTimeout') return 'timeout';
  if (field === 'next' && node.type === 'wait-for-event') return 'event';
  if (field === 'onTrue') return 'yes';
  if (field === 'onFalse') return 'no';
  return field;
}

/** Seconds of waiting a node can add at most (wait-until on a date is unbounded: not counted). */
function waitSeconds(node: JourneyNode): number {
  if (node.type === 'wait') return durationSeconds(node.duration);
  if (node.type === 'wait-for-event') return durationSeconds(node.timeout);
  if (node.type === 'wait-until' && !('property' in node.until)) return 7 * 86_400;
  return 0;
}

/**
 * The most waiting any path from the start can add up, and the node where that path's waits
 * end; undefined when the journey loops (the validator reports loops separately).
 */
export function longestWaitSeconds(journey: Journey): { seconds: number; at: string } | undefined {
  const memo = new Map<string, { seconds: number; at: string }>();
  const onStack = new Set<string>();
  let loops = false;
  const longest = (id: string): { seconds: number; at: string } => {
    const known = memo.get(id);
    if (known) return known;
    const node = journey.nodes[id];
    if (!node || onStack.has(id)) {
      if (node) loops = true;
      return { seconds: 0, at: id };
    }
    onStack.add(id);
    const own = waitSeconds(node);
    let best = { seconds: own, at: id };
    for (const { id: next } of successorsOf(node)) {
      const rest = longest(next);
      if (own + rest.seconds > best.seconds)
        best = { seconds: own + rest.seconds, at: rest.seconds > 0 ? rest.at : id };
    }
    onStack.delete(id);
    memo.set(id, best);
    return best;
  };
  const result = longest(journey.start);
  return loops ? undefined : result;
}
