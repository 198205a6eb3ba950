import type { Template } from 'liquidjs';
import mjml2html from 'mjml';
import { assertUnreachable } from '#core/assert.ts';
import { expand, type LiquidMark, type Origin } from './expand.ts';
import { htmlToText } from './html-to-text.ts';
import { createLiquid } from './liquid.ts';
import { matchLocale } from './locale.ts';
import { checkMjmlStructure } from './mjml-structure.ts';
import {
  type CompiledLocale,
  type CompiledTemplate,
  type EmailLayout,
  type EmailPartial,
  EmailTemplate,
  type TemplateError,
  type TemplateLocale,
  type TemplatePart,
} from './template.schema.ts';
import { editDistance, isKnownVariable, MARKETING_REQUIRED, type Segments, suggestVariable } from './variables.ts';

/**
 * Save-time compilation. This module pulls in `mjml` (several MB with its CSS tooling): import it
 * from the code that saves templates, never from the send path, which needs only `render.ts`.
 */

export interface TemplateLibrary {
  layouts?: readonly EmailLayout[];
  partials?: readonly EmailPartial[];
}

export type CompileResult = { ok: true; compiled: CompiledTemplate } | { ok: false; errors: TemplateError[] };

/** Strict filters here, so an unknown filter is refused at save time rather than ignored at send time. */
const checker = createLiquid({ escapeHtml: false, strictFilters: true });
const FILTERS = Object.keys(checker.filters);

/**
 * Checks a template and compiles each locale: MJML (with its layout and partials) to HTML with the
 * Liquid left in place, the subject and a text part (derived from the HTML when none is given).
 * Every problem found is returned, each with its locale, part, line and a message for the author.
 */
export async function compileTemplate(template: EmailTemplate, library: TemplateLibrary = {}): Promise<CompileResult> {
  const parsed = EmailTemplate.safeParse(template);
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.map((issue) => schemaError(template, issue)) };
  const t = parsed.data;
  const errors = new Problems();

  let layout: EmailLayout | undefined;
  if (t.layout) {
    layout = library.layouts?.find((l) => l.id === t.layout);
    if (!layout) {
      const known = library.layouts?.map((l) => l.id).join(', ') || 'none';
      errors.add({
        locale: t.defaultLocale,
        part: 'template',
        message: `layout "${t.layout}" does not exist (available: ${known})`,
      });
    }
  }

  const locales: Record<string, CompiledLocale> = {};
  for (const [locale, source] of Object.entries(t.locales)) {
    const compiled = await compileLocale({ template: t, locale, source, layout, library, errors });
    if (compiled) locales[locale] = compiled;
  }
  if (errors.list.length > 0) return { ok: false, errors: errors.list };
  return {
    ok: true,
    compiled: {
      format: 1,
      id: t.id,
      kind: t.kind,
      ...(t.topic ? { topic: t.topic } : {}),
      defaultLocale: t.defaultLocale,
      locales,
    },
  };
}

interface Where {
  locale: string;
  part: TemplatePart;
  /** Layout or partial id. */
  name?: string;
  /** The layout's or partial's locale variant in use, if not its base MJML. */
  variant?: string;
}

async function compileLocale(input: {
  template: EmailTemplate;
  locale: string;
  source: TemplateLocale;
  layout: EmailLayout | undefined;
  library: TemplateLibrary;
  errors: Problems;
}): Promise<CompiledLocale | undefined> {
  const { template, locale, source, layout, library, errors } = input;
  const before = errors.list.length;
  const report = (where: Where, problem: Omit<TemplateError, 'locale' | 'part' | 'name'>): void =>
    errors.add(toError(where, problem));

  const subject = checkLiquid(source.subject, { locale, part: 'subject' }, report);
  if (/[\r\n]/.test(source.subject)) {
    report({ locale, part: 'subject' }, { message: `the ${locale} subject must be a single line` });
  }
  const text = source.text === undefined ? undefined : checkLiquid(source.text, { locale, part: 'text' }, report);

  const body: Where = { locale, part: 'html' };
  const isDocument = /^\s*<mjml[\s>]/.test(source.mjml);
  if (template.layout && isDocument) {
    report(body, {
      message: `the ${locale} body is a full <mjml> document, but the template uses layout "${template.layout}": keep only the sections that go inside it`,
    });
  } else if (!template.layout && !isDocument) {
    report(body, {
      message: `the ${locale} body is not a full <mjml> document and the template has no layout: choose a layout or wrap the body in <mjml><mj-body>…</mj-body></mjml>`,
    });
  }
  const bodyCheck = checkLiquid(source.mjml, body, report);
  if (template.layout && !layout) return undefined;

  // Choose this locale's variant of the layout and of every partial.
  const variants = new Map<string, string | undefined>();
  const layoutVariant = layout ? pickVariant(layout, locale) : undefined;
  const partials = new Map<string, string>();
  for (const partial of library.partials ?? []) {
    const chosen = pickVariant(partial, locale);
    partials.set(partial.id, chosen.mjml);
    variants.set(`partial:${partial.id}`, chosen.variant);
  }
  if (layout && layoutVariant) variants.set(`layout:${layout.id}`, layoutVariant.variant);
  const whereOf = (origin: Pick<Origin, 'part' | 'name'>): Where =>
    origin.part === 'html'
      ? body
      : { locale, part: origin.part, name: origin.name, variant: variants.get(`${origin.part}:${origin.name}`) };

  const keyPrefix = freshKeyPrefix([source.mjml, layoutVariant?.mjml ?? '', ...partials.values()]);
  const expanded = expand(checker, {
    body: source.mjml,
    layout: layout && layoutVariant ? { id: layout.id, mjml: layoutVariant.mjml } : undefined,
    partials,
    keyPrefix,
  });
  for (const { origin, message } of expanded.errors) {
    report(whereOf(origin), {
      line: origin.line,
      column: origin.column,
      message: at(message, origin, whereOf(origin)),
    });
  }
  const htmlPaths = new Set(bodyCheck.paths);
  let htmlParsed = bodyCheck.ok;
  for (const used of expanded.used) {
    const check = checkLiquid(used.text, whereOf(used), report);
    htmlParsed &&= check.ok;
    for (const path of check.paths) htmlPaths.add(path);
  }

  if (template.kind === 'marketing') {
    if (htmlParsed) requireFooter(htmlPaths, body, report);
    if (text?.ok) requireFooter(new Set(text.paths), { locale, part: 'text' }, report);
  }

  let html: string | undefined;
  let derivedText: string | undefined;
  if (htmlParsed && !expanded.incomplete && expanded.errors.length === 0) {
    const result = await compileMjml(expanded.doc, locale, expanded.marks, keyPrefix);
    for (const problem of result.problems) {
      const origin =
        problem.origin ?? (problem.docLine === undefined ? undefined : expanded.lineOrigins[problem.docLine - 1]);
      const where = origin ? whereOf(origin) : body;
      report(where, {
        ...(origin ? { line: origin.line } : {}),
        message: origin ? at(problem.message, origin, where) : `${problem.message} in ${describe(where)}`,
      });
    }
    html = result.html;
    if (html !== undefined && source.text === undefined) {
      derivedText = result.text;
      if (!parses(derivedText ?? '')) {
        report(
          { locale, part: 'text' },
          { message: `the ${locale} text part could not be derived from the body; write a text part` },
        );
      }
    }
    if (html !== undefined && !parses(html)) {
      report(body, { message: `MJML reordered the Liquid in the ${locale} body; keep Liquid tags inside <mj-text>` });
    }
  }

  if (errors.list.length > before || !subject.ok || html === undefined) return undefined;
  return { subject: source.subject, html, text: source.text ?? derivedText ?? '' };
}

/** Parses Liquid and checks every variable it reads; returns the known variable paths it uses. */
function checkLiquid(
  text: string,
  where: Where,
  report: (where: Where, problem: Omit<TemplateError, 'locale' | 'part' | 'name'>) => void,
): { ok: boolean; paths: string[] } {
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

function requireFooter(
  paths: ReadonlySet<string>,
  where: Where,
  report: (where: Where, problem: Omit<TemplateError, 'locale' | 'part' | 'name'>) => void,
): void {
  for (const { path, what } of MARKETING_REQUIRED) {
    if (paths.has(path)) continue;
    const hint = where.part === 'text' ? '' : ' (the "footer" partial has it)';
    report(where, {
      variable: path,
      message: `${describe(where)} lacks ${what}: marketing email must include {{ ${path} }}${hint}`,
    });
  }
}

interface MjmlOutcome {
  html?: string;
  text?: string;
  /** Each problem is placed by a line of the assembled document or by a source origin. */
  problems: Array<{ docLine?: number; origin?: Origin; message: string }>;
}

async function compileMjml(
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

function parses(text: string): boolean {
  try {
    checker.parse(text);
    return true;
  } catch {
    return false;
  }
}

function pickVariant(item: { mjml: string; locales?: Record<string, string> | undefined }, locale: string) {
  const key = matchLocale(Object.keys(item.locales ?? {}), locale);
  const mjml = key === undefined ? undefined : item.locales?.[key];
  return mjml === undefined ? { mjml: item.mjml, variant: undefined } : { mjml, variant: key };
}

/** A prefix for Liquid placeholders that occurs nowhere in the sources. */
function freshKeyPrefix(sources: readonly string[]): string {
  const all = sources.join('\n').toLowerCase();
  let prefix = 'tendlq';
  while (all.includes(prefix)) prefix += 'x';
  return prefix;
}

function describe(where: Where): string {
  const variant = where.variant ? ` (${where.variant} variant)` : '';
  switch (where.part) {
    case 'subject':
      return `the ${where.locale} subject`;
    case 'html':
      return `the ${where.locale} body`;
    case 'text':
      return `the ${where.locale} text part`;
    case 'layout':
      return `layout "${where.name ?? ''}"${variant}`;
    case 'partial':
      return `partial "${where.name ?? ''}"${variant}`;
    case 'template':
      return 'the template';
    default:
      return assertUnreachable(where.part);
  }
}

const at = (message: string, origin: Origin, where: Where): string =>
  `${message} on line ${origin.line} of ${describe(where)}`;

function toError(where: Where, problem: Omit<TemplateError, 'locale' | 'part' | 'name'>): TemplateError {
  return {
    locale: where.locale,
    part: where.part,
    ...(where.name !== undefined ? { name: where.name } : {}),
    ...problem,
  };
}

/** Collects errors; a layout or partial shared by several locales is reported once. */
class Problems {
  readonly list: TemplateError[] = [];
  private readonly seen = new Set<string>();
  add(error: TemplateError): void {
    const shared = error.part === 'layout' || error.part === 'partial' || error.part === 'template';
    const key = JSON.stringify([shared ? '' : error.locale, error.part, error.name, error.line, error.message]);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push(error);
  }
}

function positionOf(err: unknown): [number | undefined, number | undefined] {
  const position = (err as { token?: { getPosition?: () => number[] } }).token?.getPosition?.();
  return [position?.[0], position?.[1]];
}

const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));

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

function schemaError(template: unknown, issue: { path: PropertyKey[]; message: string }): TemplateError {
  const [first, locale, field] = issue.path;
  const fallback = (template as { defaultLocale?: unknown })?.defaultLocale;
  const path = issue.path.map(String).join('.') || 'template';
  if (first === 'locales' && typeof locale === 'string') {
    const part: TemplatePart = field === 'subject' ? 'subject' : field === 'text' ? 'text' : 'html';
    return { locale, part, message: `${path}: ${issue.message}` };
  }
  return {
    locale: typeof fallback === 'string' ? fallback : '',
    part: 'template',
    message: `${path}: ${issue.message}`,
  };
}
