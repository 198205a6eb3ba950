import mjml2html from 'mjml';
import { errorMessage } from './compile-problems.ts';
import type { LiquidMark, Origin } from './expand.ts';
import { htmlToText } from './html-to-text.ts';
import { checkMjmlStructure } from './mjml-structure.ts';

/**
 * MJML to HTML with the Liquid kept intact. This module pulls in `mjml` (several MB with its CSS
 * tooling); only the save-time compilation imports it.
 */

export interface MjmlOutcome {
  html?: string;
  text?: string;
  /** Each problem is placed by a line of the assembled document or by a source origin. */
  problems: Array<{ docLine?: number; origin?: Origin; message: string }>;
}

/**
 * Compiles the assembled document (Liquid replaced by `keyPrefix` placeholders, restored after)
 * and checks that every Liquid construct came through MJML.
 */
export async function compileMjml(
  doc: string,
  locale: string,
  marks: readonly LiquidMark[],
  keyPrefix: string,
): Promise<MjmlOutcome> {
  const restore = (s: string): string =>
    s.replace(new RegExp(`${keyPrefix}(\\d+)q`, 'g'), (key, n: string) => marks[Number(n)]?.liquid ?? key);

  const structure = checkMjmlStructure(doc);
  if (structure) return { problems: [{ docLine: structure.line, message: restore(structure.message) }] };

  const withLang = doc.replace(/<mjml(?=[\s>])([^>]*)>/, (whole, attributes: string) =>
    /\slang\s*=/.test(attributes) ? whole : `<mjml lang="${locale}"${attributes}>`,
  );
  let output: string;
  try {
    output = (await mjml2html(withLang, { validationLevel: 'strict', ignoreIncludes: true })).html;
  } catch (err) {
    const found = (err as { errors?: Array<{ line?: number; message?: string; tagName?: string }> }).errors;
    if (!Array.isArray(found) || found.length === 0) {
      return { problems: [{ message: `MJML could not compile it: ${restore(errorMessage(err))}` }] };
    }
    return {
      problems: found.map((e) => ({
        ...(typeof e.line === 'number' ? { docLine: e.line } : {}),
        message: restore(friendlyMjmlError(e.message ?? '', e.tagName ?? '')),
      })),
    };
  }

  // Every Liquid construct must come out of MJML, tags exactly once; MJML drops text it does not
  // expect (between sections) and copies some attributes into Outlook-only markup.
  const counts = new Map<string, number>();
  for (const match of output.matchAll(new RegExp(`${keyPrefix}\\d+q`, 'g'))) {
    counts.set(match[0], (counts.get(match[0]) ?? 0) + 1);
  }
  const problems: MjmlOutcome['problems'] = [];
  for (const mark of marks) {
    const count = counts.get(mark.key) ?? 0;
    if (count === 0) {
      problems.push({
        origin: mark.origin,
        message: `MJML drops the Liquid ${mark.liquid}: between MJML components, put Liquid inside <mj-raw>…</mj-raw>`,
      });
    } else if (mark.isTag && count > 1) {
      problems.push({
        origin: mark.origin,
        message: `MJML copies the Liquid ${mark.liquid}: put Liquid tags inside <mj-text> or <mj-raw>, not in attributes`,
      });
    }
  }
  if (problems.length > 0) return { problems };
  return { html: restore(output), text: restore(htmlToText(output)), problems: [] };
}

/** mjml-validator's messages, reworded. */
function friendlyMjmlError(message: string, tagName: string): string {
  const unknown = /^Element (\S+) doesn't exist or is not registered/.exec(message);
  if (unknown) return `<${unknown[1]}> is not an MJML component`;
  const illegal = /^Attribute (\S+) is illegal/.exec(message);
  if (illegal) return `<${tagName}> has no attribute "${illegal[1]}"`;
  const invalid = /^Attribute (\S+) has invalid value: (.*) for type (\S+)/.exec(message);
  if (invalid) return `attribute ${invalid[1]}="${invalid[2]?.trim()}" of <${tagName}> is not a valid ${invalid[3]}`;
  const misplaced = /^(\S+) cannot be used inside (\S+), only inside: (.*)$/.exec(message);
  if (misplaced) return `<${misplaced[1]}> cannot go inside <${misplaced[2]}> (only inside ${misplaced[3]})`;
  return `MJML: ${message.trim()}`;
}
