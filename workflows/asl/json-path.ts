/**
 * A small reader for the reference paths ASL allows in `SecondsPath` / `TimestampPath`
 * (`$`, `$.a.b`, `$.a[0]`, `$['a b']`). Wildcards, filters and slices are rejected: a Wait
 * path must name exactly one value.
 */

export type PathSegment = string | number;

/** Thrown for a path this reader does not accept; the name is what ASL reports. */
export class JsonPathSyntaxError extends Error {
  constructor(path: string, reason: string) {
    super(`Invalid JSONPath '${path}': ${reason}`);
    this.name = 'States.Runtime';
  }
}

/** Splits `$.a.b[0]` into `['a', 'b', 0]`. */
export function parseJsonPath(path: string): PathSegment[] {
  if (!path.startsWith('$') || path.startsWith('$$')) {
    throw new JsonPathSyntaxError(path, 'only paths from the state input ($) are supported');
  }
  const segments: PathSegment[] = [];
  let i = 1;
  while (i < path.length) {
    const ch = path[i];
    if (ch === '.') {
      const match = /^[^.[\]*@?()]+/.exec(path.slice(i + 1));
      if (!match) throw new JsonPathSyntaxError(path, `expected a field name at ${i + 1}`);
      segments.push(match[0]);
      i += 1 + match[0].length;
    } else if (ch === '[') {
      const close = path.indexOf(']', i);
      if (close < 0) throw new JsonPathSyntaxError(path, 'unclosed [');
      const inner = path.slice(i + 1, close).trim();
      const quoted = /^(['"])(.*)\1$/.exec(inner);
      if (quoted) segments.push(quoted[2] ?? '');
      else if (/^\d+$/.test(inner)) segments.push(Number(inner));
      else throw new JsonPathSyntaxError(path, `unsupported selector [${inner}]`);
      i = close + 1;
    } else {
      throw new JsonPathSyntaxError(path, `unexpected '${ch}' at ${i}`);
    }
  }
  return segments;
}

/** Reads the value at `path`, or `undefined` when any step is missing. */
export function readJsonPath(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const segment of parseJsonPath(path)) {
    if (typeof segment === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[segment];
    } else {
      if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
      if (!Object.hasOwn(current, segment)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return current;
}
