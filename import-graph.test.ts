import { parseCircular, parseDependencyTree } from 'dpdm';
import { describe, expect, it } from 'vitest';

/**
 * The import graph of every TypeScript file of ours, type imports included: no file may reach
 * itself through its imports (a cycle makes module order matter and hides what depends on what).
 */
describe('the import graph', () => {
  it('has no cycles, type imports included', async () => {
    const tree = await parseDependencyTree(
      [
        'functions/**/*.ts',
        'shared/**/*.ts',
        'workflows/**/*.ts',
        'infra/**/*.ts',
        'cli/**/*.ts',
        'bench/**/*.ts',
        'scripts/**/*.ts',
        'test/**/*.ts',
      ],
      {
        context: import.meta.dirname,
        tsconfig: `${import.meta.dirname}/tsconfig.json`,
        transform: false,
        include: /\.ts$/,
        exclude: /node_modules/,
      },
    );

    expect(Object.keys(tree).length).toBeGreaterThan(300);
    expect(parseCircular(tree).map((cycle) => cycle.join(' → '))).toEqual([]);
  });
});
