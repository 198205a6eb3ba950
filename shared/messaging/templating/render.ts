import type { Liquid, Template } from 'liquidjs';
import { createLiquid } from './liquid.ts';
import { matchLocale } from './locale.ts';
import type { CompiledTemplate } from './template.schema.ts';

/**
 * Send-time rendering of a compiled template: Liquid only (no MJML), so a send function stays
 * small. Import this module, not `compile.ts`, from the send path.
 */

/** What a template can read. Unknown fields of `contact` are not passed on to the template. */
export interface RenderContext {
  contact: {
    email: string;
    firstName?: string | undefined;
    lastName?: string | undefined;
    locale?: string | undefined;
    timeZone?: string | undefined;
    properties?: Readonly<Record<string, unknown>> | undefined;
    tags?: readonly string[] | undefined;
  };
  event?: Readonly<Record<string, unknown>> | undefined;
  journey?: Readonly<Record<string, unknown>> | undefined;
  links: { unsubscribe: string; preferences: string };
  sender: { name: string; postalAddress: string };
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  /** The template locale used, after falling back. */
  locale: string;
}

/** An unexpected failure inside Liquid (a runaway loop, say); missing values never cause one. */
export class TemplateRenderError extends Error {
  override name = 'TemplateRenderError';
}

const htmlEngine = createLiquid({ escapeHtml: true, strictFilters: false });
const textEngine = createLiquid({ escapeHtml: false, strictFilters: false });

/** Parsed templates by source, per engine; a warm function renders without parsing. */
const MAX_CACHED = 500;
const htmlCache = new Map<string, Template[]>();
const textCache = new Map<string, Template[]>();

function parsed(engine: Liquid, cache: Map<string, Template[]>, source: string): Template[] {
  const hit = cache.get(source);
  if (hit) return hit;
  const templates = engine.parse(source);
  if (cache.size >= MAX_CACHED) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(source, templates);
  return templates;
}

/**
 * The template locale for a wanted locale: exact match (case-insensitive), then its language
 * (`fr-CA` → `fr`), then another region of that language, then the template's default.
 */
export function chooseLocale(compiled: Pick<CompiledTemplate, 'locales' | 'defaultLocale'>, wanted?: string): string {
  const available = Object.keys(compiled.locales);
  return matchLocale(available, wanted) ?? matchLocale(available, compiled.defaultLocale) ?? compiled.defaultLocale;
}

/**
 * Renders a compiled template for one contact, in `options.locale` or else the contact's locale,
 * with fallbacks (see `chooseLocale`). Missing values render as empty text (use Liquid's
 * `default` filter for friendlier fallbacks); values are HTML-escaped in the HTML part only.
 */
export function renderCompiled(
  compiled: CompiledTemplate,
  context: RenderContext,
  options: { locale?: string } = {},
): RenderedEmail {
  const locale = chooseLocale(compiled, options.locale ?? context.contact.locale);
  const variant = compiled.locales[locale];
  if (!variant) throw new TemplateRenderError(`template "${compiled.id}" has no locale "${locale}"`);
  const scope = scopeOf(context);
  try {
    const subject = String(textEngine.renderSync(parsed(textEngine, textCache, variant.subject), scope));
    const html = String(htmlEngine.renderSync(parsed(htmlEngine, htmlCache, variant.html), scope));
    const text = String(textEngine.renderSync(parsed(textEngine, textCache, variant.text), scope));
    return {
      // One line, always: a header cannot hold line breaks, whatever a contact's name contains.
      subject: subject.replace(/\s+/g, ' ').trim(),
      html,
      // A link whose URL rendered empty would read "label ()"; the label alone reads better.
      text: text
        .replace(/ \(\)/g, '')
        .replace(/[ \t]+$/gm, '')
        .replace(/\n{3,}/g, '\n\n')
        .trim(),
      locale,
    };
  } catch (err) {
    throw new TemplateRenderError(`template "${compiled.id}" (${locale}) failed to render`, { cause: err });
  }
}

/** Only the documented variables reach a template, whatever else the caller's objects hold. */
function scopeOf(context: RenderContext): Record<string, unknown> {
  const { contact } = context;
  return {
    contact: {
      email: contact.email,
      firstName: contact.firstName,
      lastName: contact.lastName,
      locale: contact.locale,
      timeZone: contact.timeZone,
      properties: contact.properties ?? {},
      tags: contact.tags ?? [],
    },
    event: context.event ?? {},
    journey: context.journey ?? {},
    links: { unsubscribe: context.links.unsubscribe, preferences: context.links.preferences },
    sender: { name: context.sender.name, postalAddress: context.sender.postalAddress },
  };
}
