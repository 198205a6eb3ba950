import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { compileBuiltIns } from '#messaging/templating/compile-built-ins.ts';

/**
 * Compiles the shipped templates (MJML → HTML, Liquid kept) into templates/compiled/: one file
 * per template under emails/, and ids.json listing them in journey order. The send path loads
 * only the template it sends, without MJML. A test fails when these files are stale.
 */
const compiled = await compileBuiltIns();
const dir = path.resolve(import.meta.dirname, '../templates/compiled');
const emails = path.join(dir, 'emails');
mkdirSync(emails, { recursive: true });
for (const file of readdirSync(emails)) rmSync(path.join(emails, file));
for (const template of compiled) {
  writeFileSync(path.join(emails, `${template.id}.json`), `${JSON.stringify(template, null, 2)}\n`);
}
const ids = compiled.map((t) => t.id);
writeFileSync(path.join(dir, 'ids.json'), `${JSON.stringify(ids, null, 2)}\n`);
console.log(`wrote ${compiled.length} compiled templates to ${path.relative(process.cwd(), dir)}`);
