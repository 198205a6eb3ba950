/** Reading an esbuild metafile: what a bundle loads at once, what later, and from which packages. */

import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Metafile } from 'esbuild';
import { round } from './stats.ts';

const packageOf = (input: string): string => {
  const match = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  return match?.[1] ?? '(app)';
};

export const kb = (bytes: number) => round(bytes / 1024);

/**
 * The outputs `from` loads through static imports, itself included; with `dynamic`, also what
 * those may load later through `import()`.
 */
export function closure(metafile: Metafile, from: string, dynamic = false): Set<string> {
  const seen = new Set<string>();
  const pending = [from];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const { path: imported, kind } of metafile.outputs[file]?.imports ?? []) {
      const follows = kind === 'import-statement' || (dynamic && kind === 'dynamic-import');
      if (follows && imported in metafile.outputs) pending.push(imported);
    }
  }
  return seen;
}

export const bytesOf = (metafile: Metafile, files: Iterable<string>) =>
  [...files].reduce((sum, file) => sum + (metafile.outputs[file]?.bytes ?? 0), 0);

const inputsOf = (metafile: Metafile, files: Iterable<string>) =>
  [...files].flatMap((file) => Object.keys(metafile.outputs[file]?.inputs ?? {}));

/** The SDK packages these outputs require: `client-dynamodb` from the layer, `client-lambda (runtime)`. */
export function sdkOf(metafile: Metafile, files: Iterable<string>): string[] {
  const names = inputsOf(metafile, files).flatMap((input) => {
    const [namespace, module] = input.split(':@aws-sdk/');
    if (module === undefined) return [];
    return [namespace === 'aws-sdk-layer' ? module : `${module} (runtime)`];
  });
  return [...new Set(names)].sort();
}

export const includesMjml = (metafile: Metafile, files: Iterable<string>) =>
  inputsOf(metafile, files).some((input) => packageOf(input) === 'mjml');

export function largestParts(
  metafile: Metafile,
  files: Iterable<string>,
  count: number,
): { name: string; kb: number }[] {
  const bytes = new Map<string, number>();
  for (const file of files) {
    for (const [input, { bytesInOutput }] of Object.entries(metafile.outputs[file]?.inputs ?? {})) {
      const name = packageOf(input);
      bytes.set(name, (bytes.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...bytes]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, size]) => ({ name, kb: kb(size) }));
}

/**
 * Each `import()` made by what cold start loads, with everything its first use may bring beyond
 * that (its static imports and, later, its own `import()`s); the targets of one folder with one
 * extension (the shipped templates) are a single row.
 */
export function lazyParts(metafile: Metafile, atInit: ReadonlySet<string>) {
  const targets = new Set(
    [...atInit].flatMap((file) =>
      (metafile.outputs[file]?.imports ?? [])
        .filter(({ kind, path: imported }) => kind === 'dynamic-import' && imported in metafile.outputs)
        .map(({ path: imported }) => imported),
    ),
  );
  const parts = [...targets]
    .filter((file) => !atInit.has(file))
    .map((file) => {
      const brings = [...closure(metafile, file, true)].filter((f) => !atInit.has(f));
      return { file, module: metafile.outputs[file]?.entryPoint ?? file, bytes: bytesOf(metafile, brings), brings };
    });
  const groups = new Map<string, typeof parts>();
  for (const part of parts) {
    const name = `${path.dirname(part.module)}/*${path.extname(part.module)}`;
    groups.set(name, [...(groups.get(name) ?? []), part]);
  }
  return [...groups].flatMap(([name, members]) =>
    members.length < 3 ? members.map((m) => ({ name: m.module, members: [m] })) : [{ name, members }],
  );
}

/**
 * The files a build wrote beside its bundle that esbuild did not bundle (the dashboard's browser
 * client): never loaded by Node, read only when a request asks for them. One row per top-level
 * file or folder of `outdir`; `outputs` are the metafile's, relative to `root`.
 */
export function filesBeside(
  root: string,
  outdir: string,
  metafile: Metafile,
): { name: string; files: number; kb: number }[] {
  const rows = new Map<string, { files: number; bytes: number }>();
  for (const relative of readdirSync(outdir, { recursive: true, encoding: 'utf8' })) {
    const file = path.join(outdir, relative);
    const stats = statSync(file);
    if (!stats.isFile() || path.relative(root, file) in metafile.outputs) continue;
    const [top = relative, ...rest] = relative.split(path.sep);
    const name = rest.length > 0 ? `${top}/` : top;
    const row = rows.get(name) ?? { files: 0, bytes: 0 };
    rows.set(name, { files: row.files + 1, bytes: row.bytes + stats.size });
  }
  return [...rows].map(([name, { files, bytes }]) => ({ name, files, kb: kb(bytes) }));
}
