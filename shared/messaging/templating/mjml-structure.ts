/**
 * MJML's own parser forgives a missing closing tag by swallowing the rest of the document, and its
 * validator then sees nothing wrong. This check finds unbalanced MJML tags first, so the author
 * learns which tag on which line is open.
 */

/** MJML components whose content is raw HTML up to their closing tag (from mjml-preset-core 5). */
const ENDING_TAGS = new Set([
  'mj-accordion-text',
  'mj-accordion-title',
  'mj-breakpoint',
  'mj-button',
  'mj-carousel-image',
  'mj-navbar-link',
  'mj-preview',
  'mj-raw',
  'mj-social-element',
  'mj-style',
  'mj-table',
  'mj-text',
  'mj-title',
]);

const TAG = /<(\/?)(mjml|mj-[a-z-]+)((?:\s+[^\s=>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*(\/?)>/g;

export interface StructureProblem {
  line: number;
  message: string;
}

/** The first structural problem in an MJML document, or undefined when its tags balance. */
export function checkMjmlStructure(doc: string): StructureProblem | undefined {
  const lineAt = (offset: number): number => doc.slice(0, offset).split('\n').length;
  const open: Array<{ name: string; line: number }> = [];
  TAG.lastIndex = 0;
  for (let match = TAG.exec(doc); match; match = TAG.exec(doc)) {
    const [whole, closing, name = '', , selfClosing] = match;
    const line = lineAt(match.index);
    if (name === 'mj-include') {
      return { line, message: "<mj-include> is not supported: use {% render 'partial-name' %}" };
    }
    if (closing) {
      const top = open.pop();
      if (!top) return { line, message: `</${name}> closes a tag that was never opened` };
      if (top.name !== name) {
        return { line: top.line, message: `<${top.name}> is not closed before </${name}>` };
      }
      continue;
    }
    if (selfClosing) continue;
    if (ENDING_TAGS.has(name)) {
      // Everything up to the closing tag is HTML content; skip it.
      const end = doc.indexOf(`</${name}>`, match.index + whole.length);
      if (end === -1) return { line, message: `<${name}> is never closed` };
      const nested = /<\/?(mj-[a-z-]+)/.exec(doc.slice(match.index + whole.length, end));
      if (nested) return { line, message: `<${name}> is not closed before <${nested[0].slice(1)}>` };
      TAG.lastIndex = end + name.length + 3;
      continue;
    }
    open.push({ name, line });
  }
  const unclosed = open.pop();
  if (unclosed) return { line: unclosed.line, message: `<${unclosed.name}> is never closed` };
  return undefined;
}
