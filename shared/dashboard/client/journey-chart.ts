import { svg } from './dom.ts';
import { roundedPath } from './journey-geometry.ts';
import { BOX, type Graph, graphInput, type NodeFigures } from './journey-graph.ts';
import { layoutJourney, type PlacedEdge, type PlacedNode } from './journey-layout.ts';

const EDGE = '#98a2b3';

function arrowMarker(): SVGElement {
  return svg(
    'marker',
    {
      id: 'journey-arrow',
      viewBox: '0 0 10 10',
      refX: 9,
      refY: 5,
      markerWidth: 7,
      markerHeight: 7,
      orient: 'auto-start-reverse',
    },
    svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: EDGE }),
  );
}

function edgeOf(e: PlacedEdge): SVGElement {
  const g = svg('g', { class: 'edge', 'data-edge': `${e.from}>${e.to}`, 'data-handle': e.handle });
  g.appendChild(
    svg('path', {
      d: roundedPath(e.points),
      fill: 'none',
      stroke: EDGE,
      'stroke-width': 1.5,
      'marker-end': 'url(#journey-arrow)',
      // The polyline itself, for whoever checks the drawing (the arcs stay on it).
      'data-points': e.points.map((p) => `${Math.round(p.x)},${Math.round(p.y)}`).join(' '),
    }),
  );
  if (e.label && e.labelAt) {
    const { width, height, text } = e.label;
    const { x, y } = e.labelAt;
    g.appendChild(svg('rect', { x: x - width / 2, y: y - height / 2, width, height, rx: 3, fill: '#fff' }));
    g.appendChild(svg('text', { x, y: y + 4, 'text-anchor': 'middle', class: 'edge-label' }, text));
  }
  return g;
}

function nodeOf(n: PlacedNode, lines: ReturnType<typeof graphInput>['lines']): SVGElement {
  const said = lines.get(n.id);
  const g = svg('g', {
    class: 'node',
    'data-node-id': n.id,
    'data-node-type': n.type,
    transform: `translate(${n.x},${n.y})`,
  });
  const stroke = n.type === 'exit' ? '#c4320a' : n.type === 'goal' ? '#12a37f' : '#2f6fed';
  g.appendChild(svg('rect', { width: n.width, height: n.height, rx: 6, fill: '#fff', stroke }));
  const baseline = (i: number) => BOX.pad + BOX.line * i + 11;
  g.appendChild(svg('text', { x: BOX.pad, y: baseline(0) }, said?.title ?? n.id));
  g.appendChild(svg('text', { x: BOX.pad, y: baseline(1), class: 'sub' }, n.type));
  if (said?.figures) g.appendChild(svg('text', { x: BOX.pad, y: baseline(2), 'data-figures': n.id }, said.figures));
  const title = [`${n.id} (${n.type})`, said?.figures].filter(Boolean).join(': ');
  g.appendChild(svg('title', {}, title));
  return g;
}

/**
 * A journey's live definition laid out by dagre (journey-layout.ts): ranks top to bottom from the
 * start, each edge an arrow labelled by its handle unless it is a plain `next`, each node with its
 * id, type and figures. Drawn at its own size: a wide journey scrolls inside its panel.
 */
export function journeyChart(graph: Graph, figures: NodeFigures): SVGElement {
  const input = graphInput(graph, figures);
  const layout = layoutJourney(input);
  const width = Math.ceil(layout.width);
  const height = Math.ceil(layout.height);
  const root = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role: 'img',
    'aria-label': 'Journey graph',
    'data-chart': 'journey',
  });
  root.appendChild(svg('defs', {}, arrowMarker()));
  for (const e of layout.edges) root.appendChild(edgeOf(e));
  for (const n of layout.nodes) root.appendChild(nodeOf(n, input.lines));
  return root;
}
