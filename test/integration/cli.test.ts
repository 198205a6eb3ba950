import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventsKey, stack, tieTwoIdentifiedContacts } from '../support/local.ts';

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

describe('npx tend sources, keys and conflicts', () => {
  it('creates a source showing its secret once, lists it, rotates it with an overlap and disables it', () => {
    const id = `cli-woo-${Date.now()}`;
    const created = tend('sources', 'create', id, '--kind', 'woocommerce', '--name', 'CLI shop');
    expect(created.status).toBe(0);
    expect(created.stdout).toContain(`point the provider at ${stack.api}/webhooks/${id}`);
    expect(created.stdout).toMatch(/shown once; store it now\):\n {2}\S{43}/);

    const list = tend('sources', 'list');
    expect(list.stdout).toMatch(new RegExp(`${id}\\s+woocommerce\\s+active`));
    expect(list.stdout).not.toContain(created.stdout.trim().split('\n').at(-1)?.trim());

    const rotated = tend('sources', 'rotate', id, '--overlap-hours', '2');
    expect(rotated.stdout).toMatch(/the previous secret keeps working until \d{4}-/);
    expect(tend('sources', 'disable', id).stdout).toContain(`${id} is disabled`);
  });

  it('refuses a Shopify source without the secret Shopify issued, naming the field', () => {
    const out = tend('sources', 'create', 'cli-shop', '--kind', 'shopify');
    expect(out.status).toBe(1);
    expect(out.stderr).toContain('422');
    expect(out.stderr).toContain('secret');
  });

  it('creates an API key shown once, lists it without the secret, and revokes it', () => {
    const created = tend('keys', 'create', 'cli-key', '--scopes', 'events:write');
    expect(created.status).toBe(0);
    const token = created.stdout.match(/tend_[0-9a-f]{12}_\S+/)?.[0] as string;
    const keyId = token.split('_')[1] as string;
    expect(tend('keys', 'list').stdout).toContain(keyId);
    expect(tend('keys', 'list').stdout).not.toContain(token);
    expect(tend('keys', 'revoke', keyId).stdout).toContain(`revoked ${keyId}`);
  });

  it('lists an open identity conflict, dismisses it, and refuses an unknown id with exit code 1', async () => {
    const { conflict } = await tieTwoIdentifiedContacts(await eventsKey());
    const id = conflict.conflictId as string;
    const json = () =>
      JSON.parse(tend('conflicts', 'list', '--json').stdout) as { conflictId: string; status: string }[];

    const listed = tend('conflicts', 'list');
    expect(listed.status).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^${id}  \\S+  two-contacts: `, 'm'));
    expect(json().find((c) => c.conflictId === id)?.status).toBe('open');

    const dismissed = tend('conflicts', 'dismiss', id);
    expect(dismissed.status).toBe(0);
    expect(dismissed.stdout).toContain(`dismissed ${id}`);
    expect(tend('conflicts', 'list').stdout).not.toContain(id); // the text list shows open ones only
    expect(json().find((c) => c.conflictId === id)?.status).toBe('dismissed');

    const unknown = tend('conflicts', 'dismiss', 'x-no-such-conflict');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('404');
  });
});
