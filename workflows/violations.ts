/**
 * What the validator reports and what it checks names against, with the wording its messages
 * share: every violation names the node, the JSON path and the fix.
 */

export interface Violation {
  nodeId?: string;
  /** JSON path into the document, e.g. `$.nodes.reminder.template`. */
  path: string;
  /** What is wrong and how to fix it, in words a marketer uses. */
  message: string;
}

/** What the validator checks names against; a set left out is not checked (offline use). */
export interface ValidationContext {
  templates: ReadonlySet<string>;
  topics?: ReadonlySet<string>;
  endpoints?: ReadonlySet<string>;
  /** Segment ids; when given, triggers and conditions must name one of them. */
  segments?: ReadonlySet<string>;
}

/** Step Functions ends executions after a year: no wait or window may be longer. */
export const ONE_YEAR_SECONDS = 365 * 86_400;

/** Up to eight names, quoted, for a message ("(none)" when there are none). */
export const list = (items: string[]) =>
  items.length === 0
    ? '(none)'
    : items.length <= 8
      ? items.map((i) => `"${i}"`).join(', ')
      : `${items
          .slice(0, 8)
          .map((i) => `"${i}"`)
          .join(', ')}, …`;

/** " Did you mean "x"?" when a known name is within two edits. */
export function suggest(name: string, known: Iterable<string>): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best ? ` Did you mean "${best}"?` : '';
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const saved = row[j] as number;
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = saved;
    }
  }
  return row[b.length] as number;
}
