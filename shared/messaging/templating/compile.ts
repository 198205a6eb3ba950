import { checker, checkLiquid, parses, requireFooter } from './compile-liquid.ts';
import { compileMjml } from './compile-mjml.ts';
import { at, describe, Problems, type Report, schemaError, toError, type Where } from './compile-problems.ts';
import { expand, type Origin } from './expand.ts';
import { matchLocale } from './locale.ts';
import {
  type CompiledLocale,
  type CompiledTemplate,
  type EmailLayout,
  type EmailPartial,
  EmailTemplate,
  type TemplateError,
  type TemplateLocale,
} from './template.schema.ts';

/**
 * Save-time compilation. This module pulls in `mjml` (through compile-mjml.ts; several MB with its
 * CSS tooling): import it from the code that saves templates, never from the send path, which
 * needs only `render.ts`.
 */

export interface TemplateLibrary {
  layouts?: readonly EmailLayout[];
  partials?: readonly EmailPartial[];
}

export type CompileResult = { ok: true; compiled: CompiledTemplate } | { ok: false; errors: TemplateError[] };

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
  const report: Report = (where, problem) => errors.add(toError(where, problem));

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
