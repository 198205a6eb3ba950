import type { TemplateVersion } from './model.ts';
import type { CompiledTemplate } from './templating/template.schema.ts';

/** Where the send path finds a template's compiled form (stored versions first, then built-ins). */
export interface TemplateCatalog {
  /** `saved`: the stored version already read (null: none is stored), so it is not read again. */
  getCompiled(id: string, saved?: TemplateVersion | null): Promise<CompiledTemplate | undefined>;
}
