import type { TemplateStore } from './store.ts';
import type { TemplateCatalog } from './template-catalog.ts';
import { builtInCompiled } from './templating/compiled-built-ins.ts';

/** Saved versions win over the shipped templates of the same id. */
export function createTemplateCatalog(store: TemplateStore): TemplateCatalog {
  return {
    async getCompiled(id, read) {
      const saved = read === undefined ? await store.getTemplate(id) : read;
      return saved?.compiled ?? (await builtInCompiled(id));
    },
  };
}
