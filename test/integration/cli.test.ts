import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  eventsKey,
  eventually,
  getContact,
  postWebhook,
  stack,
  tieTwoIdentifiedContacts,
  uniqueEmail,
} from '../support/local.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
/**
 * The CLI with no API: files only. Quiet hours in simulations and backtests fall in the default
 * time zone, which the expectations here are written for (the test stack uses another one).
 */
const offline = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/tend.js', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, TEND_DEFAULT_TIME_ZONE: 'UTC' },
  });
const tend = (...args: string[]) => offline(...args, '--api', stack.api, '--token', stack.adminToken);

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

describe('npx tend journeys', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tend-cli-journeys-'));
  const scenario = path.join(dir, 'scenario.json');
  writeFileSync(
    scenario,
    JSON.stringify({
      contact: { email: 'ada@example.com', firstName: 'Ada' },
      timeline: [{ name: 'checkout.started', at: '2026-11-02T10:00:00Z', data: { cartId: 'c1', lineItems: [] } }],
    }),
  );

  it('lists the built-in journeys as live', () => {
    const out = tend('journeys', 'list');
    expect(out.status).toBe(0);
    for (const id of ['onboarding', 'lead-nurture', 'abandoned-cart', 'churn-rescue', 'loyalty']) {
      expect(out.stdout).toMatch(new RegExp(`^${id}\\s+live\\s+live v\\d+`, 'm'));
    }
  });

  it('validates a file offline, naming the node and the fix, and exits 1', () => {
    const file = path.join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        schemaVersion: 1,
        id: 'cli-bad',
        name: 'Bad',
        triggers: [{ type: 'event', event: 'checkout.started' }],
        start: 'a',
        nodes: { a: { type: 'send-email', template: 'cart-remindr', next: 'b' }, b: { type: 'exit' } },
      }),
    );
    const out = offline('journeys', 'validate', file);
    expect(out.status).toBe(1);
    expect(out.stderr).toContain(
      '$.nodes.a.template: "a" sends template "cart-remindr", which does not exist. Did you mean "cart-reminder"?',
    );
  });

  it('simulates a contact offline and prints its path with virtual times', () => {
    const out = offline('journeys', 'simulate', 'workflows/journeys/abandoned-cart.json', '--timeline', scenario);
    expect(out.status).toBe(0);
    expect(out.stdout).toContain('2026-11-02T11:00:00Z  reminder: email "cart-reminder" sent');
    expect(out.stdout).toContain('2026-11-03T10:00:00Z  last-reminder: email "cart-last-chance" sent');
    expect(out.stdout).toContain('Abandoned cart: completed');
  });

  it('backtests a draft offline over an events file', () => {
    const events = path.join(dir, 'events.jsonl');
    writeFileSync(
      events,
      [
        { email: 'a@example.com', name: 'checkout.started', at: '2026-11-02T10:00:00Z', data: { cartId: 'a1' } },
        {
          email: 'a@example.com',
          name: 'order.placed',
          at: '2026-11-02T10:10:00Z',
          data: { cartId: 'a1', orderId: 'o1', total: { amountMinor: 5000, currency: 'EUR' } },
        },
        { email: 'b@example.com', name: 'checkout.started', at: '2026-11-03T10:00:00Z', data: { cartId: 'b1' } },
        {
          email: 'c@example.com',
          name: 'form.submitted',
          at: '2026-11-03T10:00:00Z',
          data: { formId: 'f', fields: {} },
        },
      ]
        .map((e) => JSON.stringify(e))
        .join('\n'),
    );
    const out = offline(
      'journeys',
      'backtest',
      'workflows/journeys/abandoned-cart.json',
      '--events',
      events,
      '--from',
      '2026-11-01',
      '--to',
      '2026-11-10',
      '--json',
    );
    expect(out.status, out.stderr).toBe(0);
    const report = JSON.parse(out.stdout);
    expect(report).toMatchObject({
      contactsScanned: 3,
      candidates: 2,
      entered: 2,
      conversions: 1,
      revenue: { EUR: 5000 },
    });
    expect(report.emails).toEqual({
      'cart-reminder': { sent: 1, skipped: {}, deferred: {} },
      'cart-last-chance': { sent: 1, skipped: {}, deferred: {} },
    });
  });

  it('backtests a live journey through the API over the stored events', async () => {
    const email = uniqueEmail('cli-backtest');
    await postWebhook({ body: JSON.stringify({ email, fields: {} }) });
    await eventually('the stored form', async () =>
      (await getContact(email)).body.enrollments?.length ? true : undefined,
    );
    const from = new Date(Date.now() - 30 * 86_400_000).toISOString();
    const to = new Date(Date.now() + 86_400_000).toISOString();
    const out = tend('journeys', 'backtest', 'onboarding', '--from', from, '--to', to);
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toContain(`backtest of onboarding from ${from}`);
    expect(out.stdout).toMatch(/entered [1-9]\d* \(holdout 0\)/);
  });

  it('shows the history of a published journey, and explains wrong usage with exit code 2', () => {
    const history = tend('journeys', 'history', 'loyalty');
    expect(history.status).toBe(0);
    expect(history.stdout).toMatch(/^v1 {2}\S+ {2}by npm start/m);
    expect(history.stdout).toContain('first version: 12 nodes, 1 trigger(s)');
    const wrong = tend('journeys', 'teleport');
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain('unknown journeys command "teleport"');
  });
});

describe('npx tend segments', () => {
  it('validates segment files offline, naming each violation and its fix, and exits 1', () => {
    const good = offline('segments', 'validate', 'workflows/examples/segments.json');
    expect(good.status).toBe(0);
    expect(good.stdout).toContain('(repeat-buyers) is valid: order.placed at least 2 times in the last 90 days');
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'tend-cli-')), 'bad-segment.json');
    writeFileSync(
      file,
      JSON.stringify({
        id: 'bad',
        name: 'Bad',
        conditions: [{ kind: 'event', event: 'order.placed', within: 'since-entry' }],
      }),
    );
    const bad = offline('segments', 'validate', file);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('$.conditions[0].within: a segment has no entry time. Fix:');
  });

  it('simulates a journey triggered by a segment offline, with the segment file', () => {
    const simulate = (...extra: string[]) =>
      offline(
        'journeys',
        'simulate',
        'workflows/examples/repeat-thanks.json',
        '--timeline',
        'workflows/examples/repeat-thanks.scenario.json',
        ...extra,
      );
    const out = simulate('--segments', 'workflows/examples/segments.json');
    expect(out.status).toBe(0);
    expect(out.stdout).toContain('2026-09-15T10:00:00Z  event segment.entered repeat-buyers → entered');
    expect(out.stdout).toContain('vip-thanks: email "tier-up" sent');
    const without = simulate();
    expect(without.status).toBe(0);
    expect(without.stderr).toContain('nobody is in a segment unless you pass --segments');
    expect(without.stdout).toContain('the contact never entered');
  });

  it('saves a segment through the API, lists it with its count and shows its members', async () => {
    const id = `cli-seg-${Date.now().toString(36)}`;
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'tend-cli-')), 'segment.json');
    const email = uniqueEmail('cli-seg');
    writeFileSync(
      file,
      JSON.stringify({
        id,
        name: 'CLI marked',
        conditions: [{ kind: 'property', property: 'properties.cliSegment', op: 'eq', value: id }],
      }),
    );
    const saved = tend('segments', 'save', file);
    expect(saved.status).toBe(0);
    expect(saved.stdout).toContain(`saved ${id} revision 1: evaluating every contact against it`);

    const key = await eventsKey();
    const res = await fetch(`${stack.api}/api/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        batch: [{ type: 'identify', messageId: `m-${id}`, traits: { email, cliSegment: id } }],
      }),
    });
    expect(res.status).toBeLessThan(300);
    const contactId = await eventually('the contact in the segment', async () => {
      const out = tend('segments', 'members', id, '--json');
      const members = JSON.parse(out.stdout || '{"members":[]}').members as { contactId: string }[];
      return members[0]?.contactId;
    });
    expect((await getContact(email)).body.contact.contactId).toBe(contactId);
    const list = tend('segments', 'list');
    expect(list.stdout).toMatch(new RegExp(`${id}\\s+1 members`));
    expect(list.stdout).toContain(`CLI marked: properties.cliSegment eq "${id}"`);
  });
});
