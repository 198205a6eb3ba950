import { describe, expect, it } from 'vitest';
import { compileBuiltIns } from './compile-built-ins.ts';
import { builtInCompiled } from './compiled-built-ins.ts';

describe('templates/compiled.json', () => {
  it('matches the shipped sources (run `npm run templates:build` after editing templates/)', async () => {
    const fresh = await compileBuiltIns();
    expect(fresh.map((t) => t.id).sort()).toEqual([...builtInCompiled.keys()].sort());
    for (const template of fresh) expect(builtInCompiled.get(template.id)).toEqual(template);
  });
});
