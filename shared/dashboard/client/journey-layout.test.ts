import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { crossings, overlaps, roundedPath, segmentsCross } from './journey-geometry.ts';
import { type Graph, graphInput, handleText } from './journey-graph.ts';
import { handleOf, layoutJourney } from './journey-layout.ts';

const BUILT_INS = path.resolve(import.meta.dirname, '../../../workflows/journeys');
const FIELDS = ['next', 'onTimeout', 'onTrue', 'onFalse', 'else'] as const;

type Doc = { start: string; nodes: Record<string, Record<string, unknown>> };

/**
 * The graph the dashboard sends for a definition: every field naming a successor, and each arm
 * of a split with its name. (The client takes only types from the server, so it is rebuilt here
 * from the definition; the browser test checks the page drawn from the server's own graph.)
 */
function graphOf(doc: Doc): Graph {
  const nodes = Object.entries(doc.nodes).map(([id, n]) => ({ id, type: String(n.type) }));
  const edges = Object.entries(doc.nodes).flatMap(([from, n]) => [
    ...FIELDS.flatMap((f) => (typeof n[f] === 'string' ? [{ from, to: n[f], label: f === 'next' ? '' : f }] : [])),
    ...((n.branches as { name: string; next: string }[] | undefined) ?? []).map((b, i) => ({
      from,
      to: b.next,
      label: `branches[${i}].next`,
      arm: b.name,
    })),
  ]);
  return { nodes, edges };
}

const builtIns = readdirSync(BUILT_INS)
  .filter((f) => f.endsWith('.json') && !f.endsWith('.asl.json'))
  .map((f) => ({
    id: f.replace(/\.json$/, ''),
    doc: JSON.parse(readFileSync(path.join(BUILT_INS, f), 'utf8')) as Doc,
  }));

describe('the journey layout', () => {
  it('finds the five built-in journeys', () => {
    expect(builtIns.map((b) => b.id).sort()).toEqual([
      'abandoned-cart',
      'churn-rescue',
      'lead-nurture',
      'loyalty',
      'onboarding',
    ]);
  });

  for (const { id, doc } of builtIns) {
    it(`lays out ${id} with no edges crossing and no boxes overlapping`, () => {
      const graph = graphOf(doc);
      const layout = layoutJourney(graphInput(graph, { [doc.start]: [{ name: 'entered', value: 1234 }] }));

      expect(layout.nodes.map((n) => n.id).sort()).toEqual(Object.keys(doc.nodes).sort());
      expect(layout.edges).toHaveLength(graph.edges.length);
      expect(crossings(layout.edges.map((e) => e.points))).toBe(0);
      const labels = layout.edges.flatMap((e) =>
        e.label && e.labelAt ? [{ ...e.labelAt, width: e.label.width, height: e.label.height }] : [],
      );
      const boxes = [...layout.nodes, ...labels.map((l) => ({ ...l, x: l.x - l.width / 2, y: l.y - l.height / 2 }))];
      expect(overlaps(boxes)).toEqual([]);
      for (const n of layout.nodes) {
        expect(n.x).toBeGreaterThanOrEqual(0);
        expect(n.x + n.width).toBeLessThanOrEqual(layout.width);
        expect(n.y + n.height).toBeLessThanOrEqual(layout.height);
      }
    });
  }

  it('starts at the top and points every edge of an acyclic journey down', () => {
    const { doc } = builtIns.find((b) => b.id === 'loyalty') ?? { doc: undefined };
    if (!doc) throw new Error('loyalty is a built-in journey');
    const layout = layoutJourney(graphInput(graphOf(doc), {}));
    const start = layout.nodes.find((n) => n.id === doc.start);
    expect(start?.y).toBe(Math.min(...layout.nodes.map((n) => n.y)));
    for (const e of layout.edges) {
      const [first, last] = [e.points[0], e.points.at(-1)];
      expect(last?.y).toBeGreaterThan(first?.y ?? Number.POSITIVE_INFINITY);
    }
  });

  it('labels every edge but a plain next with its handle, arms by their names', () => {
    const { doc } = builtIns.find((b) => b.id === 'loyalty') ?? { doc: undefined };
    if (!doc) throw new Error('loyalty is a built-in journey');
    const layout = layoutJourney(graphInput(graphOf(doc), {}));
    const labelled = layout.edges.filter((e) => e.label).map((e) => `${e.from}>${e.to}:${e.label?.text}`);
    expect(labelled.sort()).toEqual([
      'cross-sell-test>cross-sell-email:cross-sell',
      'cross-sell-test>done:control',
      'tier>make-gold:gold',
      'tier>make-silver:silver',
      'tier>wait-for-delivery:else',
    ]);
    expect(layout.edges.filter((e) => e.label).every((e) => e.labelAt !== undefined)).toBe(true);
  });

  it('reads a node’s handles left to right in the order of the definition', () => {
    const { doc } = builtIns.find((b) => b.id === 'lead-nurture') ?? { doc: undefined };
    if (!doc) throw new Error('lead-nurture is a built-in journey');
    const layout = layoutJourney(graphInput(graphOf(doc), {}));
    const x = (id: string) => layout.nodes.find((n) => n.id === id)?.x ?? Number.NaN;
    expect(x('offer-email')).toBeLessThan(x('tag-cold'));
  });

  it('lays out a loop back to an earlier node, and leaves out an edge to a missing node', () => {
    const graph: Graph = {
      nodes: [
        { id: 'wait', type: 'wait-for-event' },
        { id: 'check', type: 'branch' },
        { id: 'done', type: 'exit' },
      ],
      edges: [
        { from: 'wait', to: 'check', label: '' },
        { from: 'wait', to: 'done', label: 'onTimeout' },
        { from: 'check', to: 'done', label: 'onTrue' },
        { from: 'check', to: 'wait', label: 'onFalse' },
        { from: 'check', to: 'gone', label: 'else' },
      ],
    };
    const layout = layoutJourney(graphInput(graph, {}));
    expect(layout.edges.map((e) => e.handle)).toEqual(['next', 'onTimeout', 'onTrue', 'onFalse']);
    expect(layout.edges.every((e) => e.points.length >= 2)).toBe(true);
    expect(overlaps(layout.nodes)).toEqual([]);
  });

  it('sizes a box to its lines: a third line for figures, wider for a long id', () => {
    const graph: Graph = {
      nodes: [
        { id: 'a', type: 'wait' },
        { id: 'a-rather-long-node-identifier-for-a-step', type: 'wait' },
      ],
      edges: [{ from: 'a', to: 'a-rather-long-node-identifier-for-a-step', label: '' }],
    };
    const input = graphInput(graph, { a: [{ name: 'entered', value: 12 }] });
    const [short, long] = input.nodes;
    expect(short?.height).toBeGreaterThan(long?.height ?? 0);
    expect(long?.width).toBeGreaterThan(short?.width ?? 0);
    expect(input.lines.get('a')?.figures).toBe('12 entered');
    expect(input.lines.get('a-rather-long-node-identifier-for-a-step')?.title).toMatch(/…$/);
  });
});

describe('handles', () => {
  it('reads the field an edge leaves by', () => {
    expect(
      ['next', 'onTimeout', 'onTrue', 'onFalse', 'else', 'branches[2].next', 'branches[0]', 'other'].map(handleOf),
    ).toEqual(['next', 'onTimeout', 'onTrue', 'onFalse', 'else', 'branches[2]', 'branches[0]', undefined]);
  });

  it('says what a handle means, an arm by its name or else its place', () => {
    expect(handleText('next')).toBeUndefined();
    expect(handleText('onTimeout')).toBe('timeout');
    expect(handleText('branches[1]', 'silver')).toBe('silver');
    expect(handleText('branches[1]')).toBe('arm 2');
  });
});

describe('the geometry', () => {
  it('counts segments that cross, not segments that meet at an end', () => {
    expect(segmentsCross({ x: 0, y: 0 }, { x: 10, y: 10 }, { x: 0, y: 10 }, { x: 10, y: 0 })).toBe(true);
    expect(segmentsCross({ x: 0, y: 0 }, { x: 10, y: 10 }, { x: 10, y: 10 }, { x: 20, y: 0 })).toBe(false);
    expect(
      crossings([
        [
          { x: 0, y: 0 },
          { x: 10, y: 10 },
          { x: 20, y: 0 },
        ],
        [
          { x: 0, y: 5 },
          { x: 20, y: 5 },
        ],
      ]),
    ).toBe(2);
  });

  it('finds overlapping boxes but not boxes that only touch', () => {
    const box = (x: number, y: number) => ({ x, y, width: 10, height: 10 });
    expect(overlaps([box(0, 0), box(10, 0), box(5, 5)])).toEqual([
      [0, 2],
      [1, 2],
    ]);
  });

  it('rounds the bends of a path and keeps its ends', () => {
    const d = roundedPath([
      { x: 0, y: 0 },
      { x: 0, y: 40 },
      { x: 40, y: 40 },
    ]);
    expect(d).toBe('M0,0 L0,30 Q0,40 10,40 L40,40');
  });
});
