import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stack } from '../support/local.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const tend = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/tend.js', ...args, '--api', stack.api, '--token', stack.adminToken], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  });

describe('npx tend templates', () => {
  it('previews a built-in template in French', () => {
    const out = tend('templates', 'preview', 'welcome', '--locale', 'fr');
    expect(out.status).toBe(0);
    expect(out.stdout).toContain('Locale:  fr');
    expect(out.stdout).toMatch(/Subject: Sam, bienvenue/);
  });

  it('refuses to save a template with an unknown variable, printing the line, and exits 1', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'tend-cli-')), 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        id: 'cli-bad',
        name: 'Bad',
        kind: 'transactional',
        defaultLocale: 'en',
        locales: {
          en: {
            subject: 'Hi {{ contact.nickname }}',
            mjml: '<mjml><mj-body><mj-section><mj-column><mj-text>x</mj-text></mj-column></mj-section></mj-body></mjml>',
          },
        },
      }),
    );
    const out = tend('templates', 'save', file);
    expect(out.status).toBe(1);
    expect(out.stderr).toContain('422');
    expect(out.stderr).toMatch(/\[en\] line 1: .*contact\.nickname/);
  });

  it('explains wrong usage with exit code 2', () => {
    const out = tend('templates', 'frobnicate');
    expect(out.status).toBe(2);
    expect(out.stderr).toContain('unknown templates command "frobnicate"');
  });
});
