import { loadBuiltInTemplates } from './built-ins.ts';
import { type CompileResult, compileTemplate } from './compile.ts';
import type { CompiledTemplate, EmailTemplate } from './template.schema.ts';

// This module brings MJML (about 4 MB bundled). Functions reach it only through `import()` on
// the save path, so it is a chunk of its own that cold start never loads; compiled-built-ins.ts,
// which the send path imports, must not import it at all.

const shipped = loadBuiltInTemplates();
const library = { layouts: shipped.layouts, partials: shipped.partials };

/** Compiles a template against the shipped layouts and partials: what saving a template does. */
export function compileWithBuiltIns(template: EmailTemplate): Promise<CompileResult> {
  return compileTemplate(template, library);
}

/** Compiles the shipped sources; used by the build script and the freshness test only. */
export async function compileBuiltIns(): Promise<CompiledTemplate[]> {
  const out: CompiledTemplate[] = [];
  for (const template of shipped.templates) {
    const result = await compileTemplate(template, library);
    if (!result.ok)
      throw new Error(`built-in template ${template.id} does not compile: ${JSON.stringify(result.errors)}`);
    out.push(result.compiled);
  }
  return out;
}
