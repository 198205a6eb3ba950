import type { CompiledTemplate } from '#templating/template.schema.ts';

/** Where the send path finds a template's compiled form (stored versions first, then built-ins). */
export interface TemplateCatalog {
  getCompiled(id: string): Promise<CompiledTemplate | undefined>;
}
