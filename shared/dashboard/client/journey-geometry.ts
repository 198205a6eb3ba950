import type { Point } from './journey-layout.ts';

/** A box by its top-left corner and size. */
export interface Box extends Point {
  width: number;
  height: number;
}

/** Which side of the line a→b the point c is on: positive, negative, or 0 on the line. */
function side(a: Point, b: Point, c: Point): number {
  const cross = (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
  return Math.abs(cross) < 1e-9 ? 0 : Math.sign(cross);
}

/** Whether two segments cross at a point inside both: touching at an end is not crossing. */
export function segmentsCross(a: Point, b: Point, c: Point, d: Point): boolean {
  const [s1, s2, s3, s4] = [side(a, b, c), side(a, b, d), side(c, d, a), side(c, d, b)];
  return s1 * s2 < 0 && s3 * s4 < 0;
}

/** How many times the polylines cross one another (a polyline crossing itself is not counted). */
export function crossings(lines: readonly (readonly Point[])[]): number {
  let n = 0;
  lines.forEach((p, i) => {
    for (const q of lines.slice(i + 1))
      for (let s = 1; s < p.length; s++)
        for (let t = 1; t < q.length; t++)
          if (segmentsCross(p[s - 1] as Point, p[s] as Point, q[t - 1] as Point, q[t] as Point)) n++;
  });
  return n;
}

/** The pairs of boxes that overlap (sharing only a border does not count), by index. */
export function overlaps(boxes: readonly Box[]): [number, number][] {
  const out: [number, number][] = [];
  boxes.forEach((a, i) => {
    boxes.forEach((b, j) => {
      if (j <= i) return;
      const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
      if (!apart) out.push([i, j]);
    });
  });
  return out;
}

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * An SVG path through the points: straight runs joined by arcs of at most `radius`, so a bend
 * reads as one line turning rather than two lines meeting, and the path stays on the polyline.
 */
export function roundedPath(points: readonly Point[], radius = 10): string {
  const [first, ...rest] = points;
  if (!first) return '';
  let d = `M${round(first.x)},${round(first.y)}`;
  rest.forEach((p, i) => {
    const prev = points[i] as Point;
    const next = rest[i + 1];
    if (!next) {
      d += ` L${round(p.x)},${round(p.y)}`;
      return;
    }
    const inLen = Math.hypot(p.x - prev.x, p.y - prev.y);
    const outLen = Math.hypot(next.x - p.x, next.y - p.y);
    const r = Math.min(radius, inLen / 2, outLen / 2);
    if (r < 0.5) {
      d += ` L${round(p.x)},${round(p.y)}`;
      return;
    }
    const a = { x: p.x - ((p.x - prev.x) / inLen) * r, y: p.y - ((p.y - prev.y) / inLen) * r };
    const b = { x: p.x + ((next.x - p.x) / outLen) * r, y: p.y + ((next.y - p.y) / outLen) * r };
    d += ` L${round(a.x)},${round(a.y)} Q${round(p.x)},${round(p.y)} ${round(b.x)},${round(b.y)}`;
  });
  return d;
}
