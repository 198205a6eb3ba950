/**
 * The variables a template may use. `'any'` accepts every path below it (contact properties,
 * event and journey data are free-form); `'value'` and `'list'` are leaves, below which only
 * Liquid's `size`, `first` and `last` are allowed.
 */
type Shape = 'any' | 'value' | 'list' | { readonly [key: string]: Shape };

const KNOWN: { readonly [root: string]: Shape } = {
  contact: {
    email: 'value',
    firstName: 'value',
    lastName: 'value',
    locale: 'value',
    timeZone: 'value',
    properties: 'any',
    tags: 'list',
  },
  event: 'any',
  journey: 'any',
  links: { unsubscribe: 'value', preferences: 'value' },
  sender: { name: 'value', postalAddress: 'value' },
};

const LEAF_PROPERTIES = new Set(['size', 'first', 'last']);

/** A variable path as liquidjs' static analysis reports it; nested arrays are dynamic segments. */
export type Segments = ReadonlyArray<string | number | Segments>;

/** Whether a global variable path (e.g. `contact.firstName`) is one the renderer provides. */
export function isKnownVariable(segments: Segments): boolean {
  const [root, ...rest] = segments;
  if (typeof root !== 'string' || !Object.hasOwn(KNOWN, root)) return false;
  let shape: Shape | undefined = KNOWN[root];
  for (const segment of rest) {
    if (shape === undefined) return false;
    if (shape === 'any') return true;
    if (shape === 'value' || shape === 'list') {
      if (typeof segment !== 'string' || !LEAF_PROPERTIES.has(segment)) return false;
      continue;
    }
    if (typeof segment !== 'string' || !Object.hasOwn(shape, segment)) return false;
    shape = shape[segment];
  }
  return true;
}

/** Every concrete path a template can name, for suggestions (`contact.firstName`, `event`, ...). */
function knownPaths(): string[] {
  const out: string[] = [];
  const walk = (prefix: string, shape: Shape): void => {
    out.push(prefix);
    if (typeof shape === 'object') for (const [key, child] of Object.entries(shape)) walk(`${prefix}.${key}`, child);
  };
  for (const [root, shape] of Object.entries(KNOWN)) walk(root, shape);
  return out;
}
const PATHS = knownPaths();

const normalise = (path: string): string => path.toLowerCase().replace(/[_-]/g, '');

/** A likely intended variable for an unknown one, or undefined when nothing is close. */
export function suggestVariable(path: string): string | undefined {
  const wanted = normalise(path);
  const exact = PATHS.find((p) => normalise(p) === wanted);
  if (exact) return exact;
  // `firstName` alone most likely meant the contact's.
  const underContact = PATHS.find((p) => normalise(p) === `contact.${wanted}`);
  if (underContact) return underContact;
  let best: { path: string; distance: number } | undefined;
  for (const candidate of PATHS) {
    const distance = editDistance(normalise(candidate), wanted);
    if (distance <= 2 && (!best || distance < best.distance)) best = { path: candidate, distance };
  }
  if (best) return best.path;
  const byWord = closestSibling(path);
  if (byWord) return byWord;
  // `contact.plan` is most likely a custom property.
  const match = /^contact\.([A-Za-z_][\w-]*)$/.exec(path);
  if (match) return `contact.properties.${match[1]}`;
  return undefined;
}

/**
 * A sibling whose name, or a run of the words in its camelCase name, is one typo away from the
 * last segment: `sender.adress` → `sender.postalAddress`.
 */
function closestSibling(path: string): string | undefined {
  const cut = path.lastIndexOf('.');
  if (cut <= 0) return undefined;
  const parent = path.slice(0, cut);
  const last = path.slice(cut + 1).toLowerCase();
  const tolerance = last.length >= 7 ? 2 : 1;
  let best: { path: string; distance: number } | undefined;
  for (const candidate of PATHS) {
    if (candidate.lastIndexOf('.') !== cut || !candidate.startsWith(`${parent}.`)) continue;
    const words = candidate
      .slice(cut + 1)
      .split(/(?=[A-Z])/)
      .map((w) => w.toLowerCase());
    for (let from = 0; from < words.length; from++) {
      for (let to = from + 1; to <= words.length; to++) {
        const distance = editDistance(words.slice(from, to).join(''), last);
        if (distance <= tolerance && (!best || distance < best.distance)) best = { path: candidate, distance };
      }
    }
  }
  return best?.path;
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** Variables a marketing email must show, and how to say that one is missing. */
export const MARKETING_REQUIRED = [
  { path: 'links.unsubscribe', what: 'an unsubscribe link' },
  { path: 'links.preferences', what: 'a link to the preference centre' },
  { path: 'sender.postalAddress', what: "the sender's postal address" },
] as const;
