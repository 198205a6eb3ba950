/**
 * Whether a stored value holds something of a person: any string inside it (nested maps, lists,
 * sets, and so JSON kept as a string too) containing one of `contains`, or equal to one of
 * `equals` (short values such as a phone or a store's customer id, which would match unrelated
 * text as substrings).
 */
export function mentions(
  value: unknown,
  needles: { contains: readonly string[]; equals?: readonly string[] },
  depth = 0,
): boolean {
  if (depth > 32) return false;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return (
      needles.contains.some((n) => n !== '' && value.includes(n)) || (needles.equals ?? []).some((n) => n === trimmed)
    );
  }
  if (Array.isArray(value) || value instanceof Set) {
    for (const v of value) if (mentions(v, needles, depth + 1)) return true;
    return false;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (mentions(k, needles, depth + 1) || mentions(v, needles, depth + 1)) return true;
    }
  }
  return false;
}
