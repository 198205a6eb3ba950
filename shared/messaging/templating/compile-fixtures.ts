import { loadBuiltInTemplates } from './built-ins.ts';
import type { CompileResult } from './compile.ts';
import type { CompiledTemplate, EmailTemplate, TemplateError, TemplateLocale } from './template.schema.ts';

/** Templates for the compile tests, on the built-in layouts and partials. */

export const library = loadBuiltInTemplates();

/** A body fragment for the default layout: one section, one column, the given components. */
export const section = (...components: string[]): string =>
  ['<mj-section>', '  <mj-column>', ...components.map((c) => `    ${c}`), '  </mj-column>', '</mj-section>'].join('\n');

export const marketing = (
  locales: Record<string, TemplateLocale>,
  overrides: Partial<EmailTemplate> = {},
): EmailTemplate => ({
  id: 'spring-sale',
  name: 'Spring sale',
  kind: 'marketing',
  topic: 'product-news',
  layout: 'default',
  defaultLocale: 'en',
  locales,
  ...overrides,
});

export function errorsOf(result: CompileResult): TemplateError[] {
  if (result.ok) throw new Error('expected the template to be refused');
  return result.errors;
}

export function compiledOf(result: CompileResult): CompiledTemplate {
  if (!result.ok)
    throw new Error(`expected the template to compile: ${result.errors.map((e) => e.message).join('; ')}`);
  return result.compiled;
}
