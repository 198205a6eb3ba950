import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The rules of the layout (ARCHITECTURE.md), checked on every file of ours: where a rule is
 * broken, the test names the file and the line.
 */
const ROOT = import.meta.dirname;
const SOURCE_DIRS = ['functions', 'shared', 'workflows', 'infra', 'cli', 'bench', 'scripts', 'test', 'bin'];
const IGNORED = new Set(['node_modules', 'cdk.out', '.tend', 'test-artifacts']);
const MAX_LINES = 400;
const CAPABILITIES = [
  'core',
  'sources',
  'contacts',
  'journeys',
  'segments',
  'scoring',
  'messaging',
  'reports',
  'dashboard',
  'people',
  'platform',
];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(ROOT, dir))) {
    if (IGNORED.has(entry)) continue;
    const rel = `${dir}/${entry}`;
    if (statSync(path.join(ROOT, rel)).isDirectory()) out.push(...sourceFiles(rel));
    else if (/\.(ts|js|mjs)$/.test(entry)) out.push(rel);
  }
  return out;
}

const files = [...SOURCE_DIRS.filter((d) => existsSync(path.join(ROOT, d))).flatMap(sourceFiles), 'layout.test.ts'];
const tsFiles = files.filter((f) => f.endsWith('.ts'));

interface ImportOf {
  file: string;
  line: number;
  /** Where it points, relative to the repository (undefined: a package). */
  target?: string;
  /** Only types come through (`import type`, or every name marked `type`). */
  typeOnly: boolean;
}

const aliases = Object.entries(
  JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).imports as Record<string, string>,
);

function targetOf(file: string, spec: string): string | undefined {
  if (spec.startsWith('.')) return path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
  for (const [alias, where] of aliases) {
    const prefix = alias.slice(0, -1);
    if (spec.startsWith(prefix)) return path.posix.normalize(where.slice(2, -1) + spec.slice(prefix.length));
  }
  return undefined;
}

function importsOf(file: string): ImportOf[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const out: ImportOf[] = [];
  for (const statement of source.statements) {
    const isImport = ts.isImportDeclaration(statement);
    if (!isImport && !ts.isExportDeclaration(statement)) continue;
    const spec = statement.moduleSpecifier;
    if (!spec || !ts.isStringLiteral(spec)) continue;
    let typeOnly: boolean;
    if (isImport) {
      const clause = statement.importClause;
      const named = clause?.namedBindings;
      typeOnly =
        clause?.isTypeOnly === true ||
        (clause !== undefined &&
          !clause.name &&
          named !== undefined &&
          ts.isNamedImports(named) &&
          named.elements.length > 0 &&
          named.elements.every((e) => e.isTypeOnly));
    } else typeOnly = statement.isTypeOnly;
    out.push({
      file,
      line: source.getLineAndCharacterOfPosition(statement.getStart(source)).line + 1,
      target: targetOf(file, spec.text),
      typeOnly,
    });
  }
  return out;
}

const imports = tsFiles.flatMap(importsOf);
const where = (i: ImportOf) => `${i.file}:${i.line} → ${i.target}`;

describe('the layout', () => {
  it('groups shared/ by capability, with no layer folders left', () => {
    const folders = readdirSync(path.join(ROOT, 'shared')).filter((d) =>
      statSync(path.join(ROOT, 'shared', d)).isDirectory(),
    );
    expect(folders.sort()).toEqual([...CAPABILITIES].sort());
    for (const capability of CAPABILITIES)
      expect(existsSync(path.join(ROOT, 'shared', capability, 'README.md'))).toBe(true);
  });

  it('keeps every source file at most 400 lines, tests included', () => {
    const long = files
      .map((f) => ({ f, lines: readFileSync(path.join(ROOT, f), 'utf8').split('\n').length - 1 }))
      .filter(({ lines }) => lines > MAX_LINES)
      .map(({ f, lines }) => `${f}: ${lines} lines`);
    expect(long).toEqual([]);
  });

  it('has shared/core/ import nothing of ours', () => {
    const out = imports.filter(
      (i) => i.file.startsWith('shared/core/') && i.target !== undefined && !i.target.startsWith('shared/core/'),
    );
    expect(out.map(where)).toEqual([]);
  });

  it('keeps the journey language pure: workflows/ takes only types from shared/, or anything from core', () => {
    const out = imports.filter(
      (i) =>
        i.file.startsWith('workflows/') &&
        i.target?.startsWith('shared/') &&
        !i.target.startsWith('shared/core/') &&
        !i.typeOnly,
    );
    expect(out.map(where)).toEqual([]);
  });

  it('keeps the browser client apart from the server: it imports only types from outside its folder', () => {
    const out = imports.filter(
      (i) =>
        i.file.startsWith('shared/dashboard/client/') &&
        i.target !== undefined &&
        !i.target.startsWith('shared/dashboard/client/') &&
        !i.typeOnly,
    );
    expect(out.map(where)).toEqual([]);
  });

  it('maps errors to status codes in one place: coded errors carry no status', () => {
    const errorFiles = tsFiles.filter((f) => /^shared\/[a-z]+\/errors\.ts$/.test(f));
    expect(errorFiles.length).toBeGreaterThan(5);
    const withStatus = errorFiles.filter((f) => /\b[45]\d\d\b|status/i.test(readFileSync(path.join(ROOT, f), 'utf8')));
    const httpErrors = tsFiles.filter(
      (f) => f !== 'layout.test.ts' && /\bHttpError\b/.test(readFileSync(path.join(ROOT, f), 'utf8')),
    );
    expect([...withStatus, ...httpErrors]).toEqual([]);
  });

  it('keeps no program in a string: no String.raw in shared/ or functions/', () => {
    const out = tsFiles.filter(
      (f) =>
        (f.startsWith('shared/') || f.startsWith('functions/')) &&
        readFileSync(path.join(ROOT, f), 'utf8').includes('String.raw`'),
    );
    expect(out).toEqual([]);
  });

  it('resolves every import of ours to a file that exists', () => {
    const missing = imports.filter((i) => i.target !== undefined && !existsSync(path.join(ROOT, i.target)));
    expect(missing.map(where)).toEqual([]);
  });
});
