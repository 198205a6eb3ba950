import { loadBuiltInTemplates } from './built-ins.ts';
import { compileTemplate } from './compile.ts';
import type { CompiledTemplate } from './template.schema.ts';

/**
 * Compiles the shipped sources; used by the build script and the freshness test only. Kept out
 * of compiled-built-ins.ts: a bundler follows even a dynamic import, and that would put MJML in
 * every function that sends.
 */
export async function compileBuiltIns(): Promise<CompiledTemplate[]> {
  const { layouts, partials, templates } = loadBuiltInTemplates();
  const out: CompiledTemplate[] = [];
  for (const template of templates) {
    const result = await compileTemplate(template, { layouts, partials });
    if (!result.ok)
      throw new Error(`built-in template ${template.id} does not compile: ${JSON.stringify(result.errors)}`);
    out.push(result.compiled);
  }
  return out;
}
