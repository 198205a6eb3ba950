import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/readiness.ts';
import { signedWebhookHeaders } from '../../infra/local/signed-webhook.ts';
import { DEFAULT_ADMIN_TOKEN, DEFAULT_DEMO_SOURCE_SECRET } from '../../infra/local/stack.ts';
import { eventually } from '../support/local.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tend-start-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Runs `npm start`'s entry point as its own process, the way a person would. */
async function start(env: Record<string, string>, args: string[] = []) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/start.ts', ...args], {
    cwd: ROOT,
    // A clean environment: the test run's own stack has put its settings into process.env.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await eventually(
    '"Tend is running"',
    async () => (output.includes('Tend is running') ? true : undefined),
    30_000,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}\n--- output ---\n${output}`);
  });
  return { child, exited, output: () => output };
}

describe('npm start', () => {
  it('serves /health, sends both onboarding emails, keeps contacts across a restart and leaves no process behind on Ctrl-C', async () => {
    const ports = {
      PORT: await freePort(),
      TEND_SES_PORT: await freePort(),
      TEND_DYNAMODB_PORT: await freePort(),
      TEND_SFN_PORT: await freePort(),
    };
    const env = {
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      TEND_DATA_DIR: dataDir,
      TEND_TIME_SCALE: '86400',
      TEND_DEMO_CONTACTS: '0',
    };
    const api = `http://localhost:${ports.PORT}`;

    const first = await start(env, ['--fresh']);
    expect(first.output()).toContain(`API             ${api}`);
    expect(first.output()).toContain(`Mail viewer     http://localhost:${ports.TEND_SES_PORT}`);
    expect((await fetch(`${api}/health`)).status).toBe(200);

    const body = JSON.stringify({ email: 'restart@example.com', firstName: 'Rae' });
    const now = new Date();
    const res = await fetch(`${api}/webhooks/demo-form`, {
      method: 'POST',
      headers: signedWebhookHeaders(DEFAULT_DEMO_SOURCE_SECRET, 'msg_restart', now, body),
      body,
    });
    expect(res.status).toBe(202);
    const posted = Date.now();

    // At one day per second, the welcome email and (after the two-day wait) the tips email
    // arrive within 10 seconds of the webhook.
    const mailStore = `http://localhost:${ports.TEND_SES_PORT}/store`;
    const subjects = await eventually(
      'the welcome and tips emails',
      async () => {
        const { emails } = (await (await fetch(mailStore)).json()) as { emails: { subject: string }[] };
        return emails.length >= 2 ? emails.map((e) => e.subject) : undefined;
      },
      10_000,
    );
    expect(Date.now() - posted).toBeLessThan(10_000);
    expect(subjects).toEqual(['Welcome to the shop, Rae!', 'Rae, three tips to get started']);
    const contactUrl = `${api}/api/contacts?email=restart%40example.com`;
    const auth = { headers: { authorization: `Bearer ${DEFAULT_ADMIN_TOKEN}` } };
    const timeline = await eventually('both sends on the timeline', async () => {
      const view = (await (await fetch(contactUrl, auth)).json()) as { timeline?: { name: string }[] };
      const sends = view.timeline?.filter((e) => e.name === 'email.sent') ?? [];
      return sends.length === 2 ? sends : undefined;
    });
    expect(timeline).toHaveLength(2);

    const javaPid = Number(readFileSync(path.join(dataDir, 'dynamodb-local.pid'), 'utf8'));
    expect(alive(javaPid)).toBe(true);
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    await eventually('DynamoDB Local to exit', async () => (alive(javaPid) ? undefined : true), 10_000);

    const second = await start(env);
    const after = await fetch(contactUrl, auth);
    expect(after.status).toBe(200);
    expect(await after.json()).toMatchObject({ contact: { email: 'restart@example.com', firstName: 'Rae' } });
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 90_000);
});
