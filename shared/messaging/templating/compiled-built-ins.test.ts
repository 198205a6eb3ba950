import { describe, expect, it } from 'vitest';
import { compileBuiltIns } from './compile-built-ins.ts';
import { builtInCompiled, builtInTemplateIds } from './compiled-built-ins.ts';

describe('templates/compiled/', () => {
  it('matches the shipped sources (run `npm run templates:build` after editing templates/)', async () => {
    const fresh = await compileBuiltIns();
    expect([...builtInTemplateIds]).toEqual(fresh.map((t) => t.id));
    for (const template of fresh) expect(await builtInCompiled(template.id)).toEqual(template);
  });

  it('has no compiled form for an id that ships no template', async () => {
    expect(await builtInCompiled('not-shipped')).toBeUndefined();
  });
});
