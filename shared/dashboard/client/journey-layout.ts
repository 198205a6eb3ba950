import dagre, { type EdgeLabel, type GraphLabel, type NodeLabel } from '@dagrejs/dagre';

/**
 * Where a journey's nodes and edges go, computed by dagre (a layered layout: ranks top to bottom,
 * nodes ordered within a rank to keep edges from crossing). Pure and free of the DOM: the caller
 * measures its boxes and labels, and draws what comes back, on a page or on an editor's canvas.
 */

/**
 * The successor field an edge leaves its node by: `next`, a wait's `onTimeout`, a branch's
 * `onTrue` and `onFalse`, a split's `else`, or the arm at this index of a split or random split.
 */
export type Handle = 'next' | 'onTimeout' | 'onTrue' | 'onFalse' | 'else' | `branches[${number}]`;

export interface Size {
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

export interface LayoutNode extends Size {
  id: string;
  /** The node's type (`send-email`, `split`…), for whoever draws it. */
  type: string;
}

export interface LayoutEdge {
  from: string;
  to: string;
  handle: Handle;
  /** Text drawn on the edge, with the room it takes; none for a plain `next`. */
  label?: Size & { text: string };
}

export interface LayoutInput {
  nodes: readonly LayoutNode[];
  edges: readonly LayoutEdge[];
}

/** A node with its top-left corner. */
export interface PlacedNode extends LayoutNode, Point {}

/** An edge as a polyline from its node's border to its successor's, and its label's centre. */
export interface PlacedEdge extends LayoutEdge {
  points: Point[];
  labelAt?: Point;
}

export interface JourneyLayout extends Size {
  nodes: PlacedNode[];
  edges: PlacedEdge[];
}

export interface LayoutOptions {
  /** Gap between nodes side by side, between ranks, and around the drawing. */
  nodeGap?: number;
  rankGap?: number;
  margin?: number;
}

/** Every handle a node can have, in the order its fields come in the definition. */
export function handleOf(field: string): Handle | undefined {
  if (field === 'next' || field === 'onTimeout' || field === 'onTrue' || field === 'onFalse' || field === 'else')
    return field;
  const arm = /^branches\[(\d+)\](?:\.next)?$/.exec(field);
  return arm ? `branches[${Number(arm[1])}]` : undefined;
}

/**
 * Places the nodes top to bottom from the start (edges that loop back are drawn upwards), and
 * routes each edge; edges whose ends are not both among the nodes are left out.
 */
export function layoutJourney(input: LayoutInput, options: LayoutOptions = {}): JourneyLayout {
  const { nodeGap = 32, rankGap = 48, margin = 16 } = options;
  const g = new dagre.graphlib.Graph<GraphLabel, NodeLabel, EdgeLabel>({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: nodeGap, ranksep: rankGap, edgesep: 16, marginx: margin, marginy: margin });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set<string>();
  for (const n of input.nodes) {
    g.setNode(n.id, { width: n.width, height: n.height });
    ids.add(n.id);
  }
  const kept = input.edges.filter((e) => ids.has(e.from) && ids.has(e.to));
  // dagre orders a node's successors right to left in the order their edges come: given last to
  // first, a node's handles read left to right as in the definition (onTrue before onFalse).
  for (let i = kept.length - 1; i >= 0; i--) {
    const e = kept[i] as LayoutEdge;
    const size = e.label ? { width: e.label.width, height: e.label.height, labelpos: 'c' as const } : {};
    g.setEdge(e.from, e.to, size, String(i));
  }
  dagre.layout(g);

  const nodes = input.nodes.map((n) => {
    const { x = 0, y = 0 } = g.node(n.id);
    return { ...n, x: x - n.width / 2, y: y - n.height / 2 };
  });
  const edges = kept.map((e, i) => {
    const placed = g.edge(e.from, e.to, String(i));
    const points = (placed.points ?? []).map((p: Point) => ({ x: p.x, y: p.y }));
    const labelAt =
      e.label && placed.x !== undefined && placed.y !== undefined ? { x: placed.x, y: placed.y } : undefined;
    return labelAt ? { ...e, points, labelAt } : { ...e, points };
  });
  const { width = 0, height = 0 } = g.graph();
  return { width, height, nodes, edges };
}
