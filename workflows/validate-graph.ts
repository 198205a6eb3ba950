import type { Journey, JourneyNode } from './journey.schema.ts';
import { successorsOf, WAITING_TYPES } from './journey-nodes.ts';
import { longestWaitSeconds } from './paths.ts';
import { ONE_YEAR_SECONDS, type Violation } from './violations.ts';

/**
 * Checks the journey as a graph: every node reachable from the start, some way to end, no loop,
 * and no path that waits longer than an execution may last.
 */
export function checkGraph(journey: Journey, add: (v: Violation) => void) {
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
