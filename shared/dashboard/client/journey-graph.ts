import type { DashboardData } from '../server/data.ts';
import { count } from './format.ts';
import { type Handle, handleOf, type LayoutEdge, type LayoutInput } from './journey-layout.ts';

/**
 * From the live definition the dashboard sends (nodes, and edges labelled by the field that names
 * the successor) to the layout's input: each node with the lines it shows and the room they take,
 * each edge with its handle and label. Pure, so the sizes the drawing uses are the ones tested.
 */

export type Graph = NonNullable<DashboardData['journey']['graph']>;

/** A node's figures from the journey report, shown in its box in this order. */
export type NodeFigures = Readonly<Record<string, readonly { name: string; value: number }[]>>;

/** Box metrics: line height, inner padding, widths bounds, and average glyph widths of the fonts. */
export const BOX = { line: 16, pad: 8, minWidth: 132, maxWidth: 220, glyph: 7, smallGlyph: 6.2 } as const;
const LABEL_HEIGHT = 16;

/** What a node's box says: its id, its type, and its figures, when there are some. */
interface NodeLines {
  title: string;
  type: string;
  figures?: string;
}

/** The id cut to fit the widest box, with an ellipsis. */
function fitted(id: string): string {
  const room = Math.floor((BOX.maxWidth - 2 * BOX.pad) / BOX.glyph);
  return id.length > room ? `${id.slice(0, room - 1)}…` : id;
}

function nodeLines(id: string, type: string, figures: NodeFigures): NodeLines {
  const own = figures[id] ?? [];
  const lines: NodeLines = { title: fitted(id), type };
  if (own.length) lines.figures = own.map((f) => `${count(f.value)} ${f.name}`).join(' · ');
  return lines;
}

function boxOf(lines: NodeLines): { width: number; height: number } {
  const text = Math.max(
    lines.title.length * BOX.glyph,
    lines.type.length * BOX.smallGlyph,
    (lines.figures ?? '').length * BOX.smallGlyph,
  );
  const width = Math.min(BOX.maxWidth, Math.max(BOX.minWidth, Math.ceil(text + 2 * BOX.pad)));
  return { width, height: BOX.pad * 2 + BOX.line * (lines.figures === undefined ? 2 : 3) };
}

/** The words on an edge: the arm's name for a split's arm, else what the field means. */
export function handleText(handle: Handle, arm?: string): string | undefined {
  switch (handle) {
    case 'next':
      return undefined;
    case 'onTimeout':
      return 'timeout';
    case 'onTrue':
      return 'true';
    case 'onFalse':
      return 'false';
    case 'else':
      return 'else';
    default:
      return arm ?? `arm ${Number(/\d+/.exec(handle)?.[0] ?? 0) + 1}`;
  }
}

/** An edge of the dashboard's graph as the layout takes it (its arm's name when the server sends one). */
function edgeOf(e: Graph['edges'][number]): LayoutEdge | undefined {
  const handle = handleOf(e.label === '' ? 'next' : e.label);
  if (!handle) return undefined;
  const arm = 'arm' in e && typeof e.arm === 'string' ? e.arm : undefined;
  const text = handleText(handle, arm);
  const label = text ? { text, width: Math.ceil(text.length * BOX.smallGlyph) + 8, height: LABEL_HEIGHT } : undefined;
  return label ? { from: e.from, to: e.to, handle, label } : { from: e.from, to: e.to, handle };
}

/** The layout's input for a graph, with what each node's box says. */
export function graphInput(graph: Graph, figures: NodeFigures): LayoutInput & { lines: Map<string, NodeLines> } {
  const lines = new Map<string, NodeLines>();
  const nodes = graph.nodes.map((n) => {
    const said = nodeLines(n.id, n.type, figures);
    lines.set(n.id, said);
    return { id: n.id, type: n.type, ...boxOf(said) };
  });
  const edges = graph.edges.flatMap((e) => edgeOf(e) ?? []);
  return { nodes, edges, lines };
}
