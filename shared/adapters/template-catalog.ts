import type { TemplateStore } from '#ports/store.ts';
import type { TemplateCatalog } from '#ports/templates.ts';
import { builtInCompiled } from '#templating/compiled-built-ins.ts';

/** Saved versions win over the shipped templates of the same id. */
export function createTemplateCatalog(store: TemplateStore): TemplateCatalog {
  return {
    async getCompiled(id) {
      const saved = await store.getTemplate(id);
      return saved?.compiled ?? builtInCompiled.get(id);
    },
  };
}
