import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { compileBuiltIns } from '#templating/compile-built-ins.ts';

/**
 * Compiles the shipped templates (MJML → HTML, Liquid kept) into templates/compiled.json, so
 * the send path serves built-ins without bundling MJML. A test fails when the file is stale.
 */
const compiled = await compileBuiltIns();
const file = path.resolve(import.meta.dirname, '../templates/compiled.json');
writeFileSync(file, `${JSON.stringify(compiled, null, 2)}\n`);
console.log(`wrote ${compiled.length} compiled templates to ${path.relative(process.cwd(), file)}`);
