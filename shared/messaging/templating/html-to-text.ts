/**
 * A small HTML-to-text conversion for the plain-text part of an email, made for MJML's output:
 * Outlook conditional comments, the head and hidden elements (the preview text) are dropped,
 * block elements become line breaks and links become "text (url)". It runs once per template at
 * save time, so it favours having no dependency over handling every corner of HTML.
 */

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'wbr']);
const BLOCK = new Set([
  'address',
  'article',
  'blockquote',
  'div',
  'footer',
  'header',
  'hr',
  'li',
  'ol',
  'section',
  'table',
  'tbody',
  'td',
  'ul',
]);
/** Followed by a blank line; MJML puts each component (text, button, image) in its own table row. */
const PARAGRAPH = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'tr']);

const TAG = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[^\s=>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*(\/?)>/g;

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  copy: '©',
  reg: '®',
  trade: '™',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  laquo: '«',
  raquo: '»',
  middot: '·',
  bull: '•',
  euro: '€',
};

/** Decodes character references; unknown named ones are left as written. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x') || ref.startsWith('#X')) return safeCodePoint(Number.parseInt(ref.slice(2), 16), whole);
    if (ref.startsWith('#')) return safeCodePoint(Number.parseInt(ref.slice(1), 10), whole);
    return ENTITIES[ref] ?? whole;
  });
}

function safeCodePoint(code: number, fallback: string): string {
  return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : fallback;
}

function attribute(attributes: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(attributes);
  if (!match) return undefined;
  return decodeEntities(match[1] ?? match[2] ?? match[3] ?? '');
}

const isHidden = (attributes: string): boolean =>
  /display\s*:\s*none/i.test(attribute(attributes, 'style') ?? '') || /\shidden(\s|=|$)/i.test(attributes);

/** Converts an HTML email to readable plain text, keeping links as "text (url)". */
export function htmlToText(html: string): string {
  const body = html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(head|style|script|title)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<!doctype[^>]*>/gi, '');

  let out = '';
  /** Nesting depth of non-void elements; while hidden, the depth at which the hidden element began. */
  let depth = 0;
  let hiddenAt: number | undefined;
  const links: Array<{ href: string | undefined; start: number; image: string }> = [];
  let last = 0;

  /** Line breaks owed before the next text: 1 after a block, 2 after a paragraph. */
  let pending = 0;
  const push = (text: string): void => {
    if (text.trim() === '' && (pending > 0 || out === '' || out.endsWith('\n'))) return;
    if (pending > 0 && out !== '') out = `${out.trimEnd()}${'\n'.repeat(pending)}`;
    pending = 0;
    out += text;
  };
  const breakLine = (count: number): void => {
    pending = Math.max(pending, count);
  };
  const emitText = (raw: string): void => {
    if (hiddenAt !== undefined) return;
    push(decodeEntities(raw.replace(/\s+/g, ' ')));
  };

  TAG.lastIndex = 0;
  for (let match = TAG.exec(body); match; match = TAG.exec(body)) {
    emitText(body.slice(last, match.index));
    last = TAG.lastIndex;
    const [, closing, rawName = '', attributes = '', selfClosing] = match;
    const name = rawName.toLowerCase();
    const isVoid = VOID.has(name) || selfClosing === '/';

    if (closing) {
      if (!VOID.has(name)) depth = Math.max(0, depth - 1);
      if (hiddenAt !== undefined) {
        if (depth <= hiddenAt) hiddenAt = undefined;
        continue;
      }
      if (name === 'a') closeLink();
      else if (PARAGRAPH.has(name)) breakLine(2);
      else if (BLOCK.has(name)) breakLine(1);
      continue;
    }

    if (hiddenAt !== undefined) {
      if (!isVoid) depth++;
      continue;
    }
    if (!isVoid && isHidden(attributes)) {
      hiddenAt = depth;
      depth++;
      continue;
    }
    if (!isVoid) depth++;

    if (name === 'br') {
      push('');
      out += '\n';
    } else if (name === 'hr') {
      breakLine(1);
      push('----');
      breakLine(1);
    } else if (name === 'img') {
      const link = links.at(-1);
      if (link && !link.image) link.image = attribute(attributes, 'alt') ?? '';
    } else if (name === 'a') links.push({ href: attribute(attributes, 'href'), start: out.length, image: '' });
    else if (name === 'li') {
      breakLine(1);
      push('- ');
    } else if (PARAGRAPH.has(name)) breakLine(2);
    else if (BLOCK.has(name)) breakLine(1);
  }
  emitText(body.slice(last));
  while (links.length > 0) closeLink();

  function closeLink(): void {
    const link = links.pop();
    if (!link) return;
    const href = link.href?.trim();
    const inner = out.slice(link.start);
    const label = inner.trim() || link.image.trim();
    const lead = /^\s*/.exec(inner)?.[0] ?? '';
    const trail = inner.trim() ? (/\s*$/.exec(inner)?.[0] ?? '') : '';
    let shown = label;
    if (href && !href.startsWith('#')) {
      shown = !label || label === href || `mailto:${label}` === href ? href : `${label} (${href})`;
    }
    out = out.slice(0, link.start) + lead + shown + trail;
  }

  return out
    .split('\n')
    .map((line) => line.replace(/[ \t]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
