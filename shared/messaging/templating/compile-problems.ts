import { assertUnreachable } from '#core/assert.ts';
import type { Origin } from './expand.ts';
import type { TemplateError, TemplatePart } from './template.schema.ts';

/**
 * Where a compile problem lies and how it is told to the author: each is placed on a locale and
 * part (and a layout's or partial's id and variant), and worded with that place.
 */

export interface Where {
  locale: string;
  part: TemplatePart;
  /** Layout or partial id. */
  name?: string;
  /** The layout's or partial's locale variant in use, if not its base MJML. */
  variant?: string;
}

/** A problem as found, before it is placed. */
export type Problem = Omit<TemplateError, 'locale' | 'part' | 'name'>;

export type Report = (where: Where, problem: Problem) => void;

/** The place as the author reads it: the en body, partial "footer" (fr variant), and so on. */
export function describe(where: Where): string {
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

export const at = (message: string, origin: Origin, where: Where): string =>
  `${message} on line ${origin.line} of ${describe(where)}`;

export function toError(where: Where, problem: Problem): TemplateError {
  return {
    locale: where.locale,
    part: where.part,
    ...(where.name !== undefined ? { name: where.name } : {}),
    ...problem,
  };
}

/** Collects errors; a layout or partial shared by several locales is reported once. */
export class Problems {
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

export const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** A schema issue as a template error, placed on its locale and part when its path names one. */
export function schemaError(template: unknown, issue: { path: PropertyKey[]; message: string }): TemplateError {
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
