import type { Template } from 'liquidjs';
import { describe, errorMessage, type Report, type Where } from './compile-problems.ts';
import { createLiquid } from './liquid.ts';
import type { TemplatePart } from './template.schema.ts';
import { editDistance, isKnownVariable, MARKETING_REQUIRED, type Segments, suggestVariable } from './variables.ts';

/**
 * The Liquid checks of save-time compilation: syntax, variables against the documented ones,
 * tags each part may use, and the footer a marketing email must carry.
 */

/** Strict filters here, so an unknown filter is refused at save time rather than ignored at send time. */
export const checker = createLiquid({ escapeHtml: false, strictFilters: true });
const FILTERS = Object.keys(checker.filters);

/** Parses Liquid and checks every variable it reads; returns the known variable paths it uses. */
export function checkLiquid(text: string, where: Where, report: Report): { ok: boolean; paths: string[] } {
  let templates: Template[];
  try {
    templates = checker.parse(text);
  } catch (err) {
    const [line, column] = positionOf(err);
    report(where, {
      ...(line ? { line } : {}),
      ...(column ? { column } : {}),
      message: `${friendlyLiquidError(err)} ${line ? `on line ${line} of` : 'in'} ${describe(where)}`,
    });
    return { ok: false, paths: [] };
  }
  let ok = true;
  for (const problem of forbiddenTags(text, where.part)) {
    ok = false;
    report(where, { line: problem.line, message: `${problem.message} on line ${problem.line} of ${describe(where)}` });
  }

  const paths = new Set<string>();
  const reported = new Set<string>();
  const analysis = checker.analyzeSync(templates, { partials: false });
  for (const variables of Object.values(analysis.globals)) {
    for (const variable of variables) {
      const segments = variable.toArray() as Segments;
      const path = String(variable);
      if (isKnownVariable(segments)) {
        paths.add(path);
        continue;
      }
      // `{{ content }}` in a layout is the body slot, spliced in before this check matters.
      if (where.part === 'layout' && path === 'content') continue;
      const line = variable.location.row;
      if (reported.has(`${path}@${line}`)) continue;
      reported.add(`${path}@${line}`);
      const suggestion = suggestVariable(path);
      report(where, {
        line,
        column: variable.location.col,
        variable: path,
        message: `unknown variable "${path}" on line ${line} of ${describe(where)}${suggestion ? ` (did you mean ${suggestion}?)` : ''}`,
      });
    }
  }
  return { ok, paths: [...paths] };
}

/** Partials are MJML, spliced into the body at save time; anywhere else they cannot work. */
function forbiddenTags(text: string, part: TemplatePart): Array<{ line: number; message: string }> {
  const out: Array<{ line: number; message: string }> = [];
  const lineAt = (offset: number): number => text.slice(0, offset).split('\n').length;
  for (const match of text.matchAll(/\{%-?\s*(render|include|layout)\b/g)) {
    if (part === 'subject' || part === 'text') {
      out.push({
        line: lineAt(match.index),
        message: `{% ${match[1]} %} can only be used in the body, layout or partials`,
      });
    }
  }
  for (const match of text.matchAll(/\{%-?\s*liquid\b[^%]*?^\s*(render|include|layout)\b/gm)) {
    out.push({ line: lineAt(match.index), message: `{% ${match[1]} %} cannot be used inside {% liquid %}` });
  }
  return out;
}

/** Reports each of {@link MARKETING_REQUIRED} that `paths` lacks. */
export function requireFooter(paths: ReadonlySet<string>, where: Where, report: Report): void {
  for (const { path, what } of MARKETING_REQUIRED) {
    if (paths.has(path)) continue;
    const hint = where.part === 'text' ? '' : ' (the "footer" partial has it)';
    report(where, {
      variable: path,
      message: `${describe(where)} lacks ${what}: marketing email must include {{ ${path} }}${hint}`,
    });
  }
}

/** Whether the text parses as Liquid. */
export function parses(text: string): boolean {
  try {
    checker.parse(text);
    return true;
  } catch {
    return false;
  }
}

function positionOf(err: unknown): [number | undefined, number | undefined] {
  const position = (err as { token?: { getPosition?: () => number[] } }).token?.getPosition?.();
  return [position?.[0], position?.[1]];
}

/** liquidjs' messages, reworded for people who write email rather than code. */
function friendlyLiquidError(err: unknown): string {
  const message = errorMessage(err)
    .replace(/, line:\d+, col:\d+$/, '')
    .trim();
  const filter = /^undefined filter: (.+)$/.exec(message)?.[1];
  if (filter) {
    const close = FILTERS.map((f) => ({ f, d: editDistance(f, filter) }))
      .filter((c) => c.d <= 2)
      .sort((a, b) => a.d - b.d)[0];
    return `unknown filter "${filter}"${close ? ` (did you mean ${close.f}?)` : ''}`;
  }
  const tag = /^tag "(.+)" not found$/.exec(message)?.[1];
  if (tag) return `unknown tag {% ${tag} %}`;
  const unclosed = /^(?:tag|output) (.+) not closed$/.exec(message)?.[1];
  if (unclosed) return `${unclosed} is never closed`;
  return `Liquid error: ${message}`;
}
