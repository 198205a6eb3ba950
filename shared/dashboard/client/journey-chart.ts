import type { DashboardData, GraphNode } from '../server/data.ts';
import { svg } from './dom.ts';
import { count } from './format.ts';

type Graph = NonNullable<DashboardData['journey']['graph']>;

/** Node size, gaps between nodes and layers, padding above and below, and at the sides (room for curves). */
const NW = 150;
const NH = 46;
const GX = 24;
const GY = 48;
const P = 16;
const PX = 84;

/** A path and where its label goes (beside the middle unless the edge says otherwise). */
interface Drawn {
  d: string;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  lx?: number;
  ly?: number;
}

type Box = { x: number; y: number };

/** An edge from box `a` to box `b`: down to the next layer, round the left past layers, or back up round the right. */
function edgePath(a: Box, b: Box): Drawn {
  if (b.y > a.y + NH + GY) {
    // Skips a layer: round the left side, so it never runs behind the nodes in between.
    const [x1, y1, x2, y2] = [a.x, a.y + NH / 2, b.x, b.y + NH / 2];
    const left = Math.min(x1, x2) - GX - 8;
    const d = `M${x1},${y1} C${left},${y1} ${left},${y2} ${x2},${y2}`;
    return { d, x1, y1, x2, y2, lx: Math.min(x1, x2) - 26, ly: (y1 + y2) / 2 };
  }
  if (b.y > a.y) {
    const [x1, y1, x2, y2] = [a.x + NW / 2, a.y + NH, b.x + NW / 2, b.y];
    return { d: `M${x1},${y1} C${x1},${y1 + GY / 2} ${x2},${y2 - GY / 2} ${x2},${y2}`, x1, y1, x2, y2 };
  }
  // A loop back up: leave from the right side and come round.
  const [x1, y1, x2, y2] = [a.x + NW, a.y + NH / 2, b.x + NW, b.y + NH / 2];
  const bend = Math.max(x1, x2) + GX;
  return { d: `M${x1},${y1} C${bend},${y1} ${bend},${y2} ${x2},${y2}`, x1, y1, x2, y2 };
}

/**
 * A journey's live definition: layers top to bottom (from the start), edges as straight or curved
 * arrows labelled by field, each node with its type and, given `visits`, how many entered it.
 */
export function journeyChart(graph: Graph, visits: Readonly<Record<string, number>>): SVGElement {
  const byLayer: GraphNode[][] = [];
  for (const n of graph.nodes) {
    const layer = byLayer[n.layer] ?? [];
    layer.push(n);
    byLayer[n.layer] = layer;
  }
  const layers = byLayer.filter(Boolean);
  const widest = layers.reduce((m, l) => Math.max(m, l.length), 1);
  const W = PX * 2 + widest * NW + (widest - 1) * GX;
  const H = P * 2 + layers.length * NH + (layers.length - 1) * GY;
  const pos: Record<string, Box & { node: GraphNode }> = {};
  layers.forEach((layer, li) => {
    const rowW = layer.length * NW + (layer.length - 1) * GX;
    layer.forEach((n, i) => {
      pos[n.id] = { x: (W - rowW) / 2 + i * (NW + GX), y: P + li * (NH + GY), node: n };
    });
  });
  const root = svg('svg', {
    viewBox: `0 0 ${W} ${H}`,
    width: W,
    role: 'img',
    'aria-label': 'Journey graph',
    'data-chart': 'journey',
  });
  const marker = svg(
    'marker',
    {
      id: 'arrow',
      viewBox: '0 0 10 10',
      refX: 9,
      refY: 5,
      markerWidth: 7,
      markerHeight: 7,
      orient: 'auto-start-reverse',
    },
    svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#98a2b3' }),
  );
  root.appendChild(svg('defs', {}, marker));
  for (const e of graph.edges) {
    const a = pos[e.from];
    const b = pos[e.to];
    if (!a || !b) continue;
    const { d, x1, y1, x2, y2, lx, ly } = edgePath(a, b);
    root.appendChild(
      svg('path', { d, fill: 'none', stroke: '#98a2b3', 'stroke-width': 1.5, 'marker-end': 'url(#arrow)' }),
    );
    if (e.label) {
      const label = e.label.replace(/^branches\[(\d+)\]\.next$/, 'branch $1');
      const x = lx === undefined ? (x1 + x2) / 2 + 4 : lx;
      const y = (ly === undefined ? (y1 + y2) / 2 : ly) + 4;
      root.appendChild(svg('text', { x, y, 'text-anchor': lx === undefined ? 'start' : 'end' }, label));
    }
  }
  for (const [id, p] of Object.entries(pos)) {
    const visited = visits[id];
    const g = svg('g', { class: 'node', 'data-node': id, transform: `translate(${p.x},${p.y})` });
    const stroke = p.node.type === 'exit' ? '#c4320a' : '#2f6fed';
    g.appendChild(svg('rect', { width: NW, height: NH, rx: 6, fill: '#fff', stroke }));
    g.appendChild(svg('text', { x: 8, y: 18 }, id.length > 20 ? `${id.slice(0, 19)}…` : id));
    const sub = p.node.type + (visited !== undefined ? ` · ${count(visited)}` : '');
    g.appendChild(svg('text', { x: 8, y: 36, class: 'sub' }, sub));
    const title = `${id} (${p.node.type})${visited !== undefined ? `: ${visited} visits` : ''}`;
    g.appendChild(svg('title', {}, title));
    root.appendChild(g);
  }
  return root;
}
