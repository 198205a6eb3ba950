import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stack } from '../support/local.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const tend = (token: string, ...args: string[]) =>
  spawnSync(process.execPath, ['bin/tend.js', ...args, '--api', stack.api, '--token', token], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  });

describe('npx tend users and audit', () => {
  it('invites a marketer, makes their token, acts with it within their role, and shows it in the audit log', () => {
    const email = `cli-${randomUUID().slice(0, 8)}@staff.example.com`;
    const invited = tend(stack.adminToken, 'users', 'invite', email, '--role', 'marketer', '--name', 'Cli Person');
    expect(invited.status).toBe(0);
    expect(invited.stdout).toContain(`invited ${email} as marketer`);
    expect(invited.stdout).toMatch(/Invitation link \(shown once.*\n\s+http:\/\/\S+\/dashboard\/invitation\?token=/);
    const userId = /\(user ([0-9a-f]{12})\)/.exec(invited.stdout)?.[1] ?? '';

    const created = tend(stack.adminToken, 'users', 'token-create', userId, '--name', 'cli-test');
    expect(created.status).toBe(0);
    const token = /(tendu_\S+)/.exec(created.stdout)?.[1] ?? '';
    expect(token).not.toBe('');

    expect(tend(token, 'journeys', 'list').status).toBe(0);
    const refused = tend(token, 'users', 'list');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('403 the marketer role may not do this');

    const audit = tend(stack.adminToken, 'audit', '--target', `user:${userId}`);
    expect(audit.status).toBe(0);
    expect(audit.stdout).toContain(`created personal token "cli-test"`);
    expect(audit.stdout).toContain(`invited ${email} as marketer`);

    const listed = tend(stack.adminToken, 'users', 'list');
    expect(listed.stdout).toMatch(new RegExp(`${userId}\\s+${email.replace(/\./g, '\\.')}\\s+marketer\\s+invited`));
  });
});
