import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedWebhookHeaders } from '../../infra/local/signed-webhook.ts';
import { DEFAULT_DEMO_SOURCE_SECRET } from '../../infra/local/stack.ts';
import { LOCAL_TABLE_NAME } from '../../infra/local/table.ts';
import { scanAll } from '../support/scan.ts';

/**
 * `kill -9` of the whole local stack (`npm start`: the Node process with DynamoDB Local's Java
 * process in its process group) in the middle of a burst of form webhooks, then `npm start`
 * again on the same data directory: every acknowledged webhook must end as exactly one contact,
 * one onboarding enrollment and one welcome send (sent, recorded with its message and its
 * `email.sent` event), and nothing twice. Its own processes, ports and data directory: not the
 * shared stack of global-setup.ts.
 *
 * Everything is killed at once, DynamoDB Local included, at the instant a webhook is
 * acknowledged. DynamoDB Local acknowledges a transaction before it has committed it; the local
 * stack waits for the commit (`awaitTransactionCommits`, checked by dynamodb-local.test.ts), as
 * the managed service commits before it answers. On disk, without that wait, about one kill in
 * two lost the last acknowledged transaction (scripts/dynamodb-local-kill.ts shows it); on the
 * tmpfs this test uses, that window is far shorter, so this test alone would seldom catch the
 * wait's removal.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WEBHOOKS = 300;
/**
 * The kill comes once this many are acknowledged: ingest, processing, executions and sends are
 * all mid-flight then. Every acknowledged webhook must complete after the restart, which takes
 * the local pipeline about half a second each on a busy two-core machine; `TEND_KILL_TEST_ACKS`
 * raises it (up to 300).
 */
const KILL_AFTER = Math.min(WEBHOOKS, Number(process.env.TEND_KILL_TEST_ACKS ?? 30));
const SENDERS = 8;
const WELCOME_NODE = 'welcome-email';

/** Binds `port` (0: any) for a moment: resolves with the port, or rejects while someone holds it. */
const freePort = (port = 0): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const bound = (server.address() as { port: number }).port;
      server.close(() => resolve(bound));
    });
  });

/** Polls until `probe` returns a value or the deadline passes; never a bare sleep. */
async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

interface Ports {
  api: number;
  ses: number;
  dynamo: number;
  sfn: number;
}

/** `npm start` as its own process group, so one signal reaches it and the Java it spawned. */
function startStack(dataDir: string, ports: Ports): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/start.ts'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PORT: String(ports.api),
      TEND_SES_PORT: String(ports.ses),
      TEND_DYNAMODB_PORT: String(ports.dynamo),
      TEND_SFN_PORT: String(ports.sfn),
      TEND_DATA_DIR: dataDir,
      TEND_DEMO_CONTACTS: '0',
      // A day of journey time in a tenth of a second: the onboarding's two-day wait is no wait.
      TEND_TIME_SCALE: '864000',
    },
  });
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-8_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, output: () => output };
}

async function healthy(api: string): Promise<true | undefined> {
  const res = await fetch(`${api}/health`);
  return res.ok ? true : undefined;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));

interface Outcome {
  contacts: number;
  onboarding: number;
  /** Welcome sends marked sent. */
  welcomeSent: number;
  /** Messages recorded for the welcome send: two would be two emails. */
  welcomeMessages: number;
  /** `email.sent` timeline events of the welcome send. */
  welcomeSentEvents: number;
}

const NO_OUTCOME: Outcome = { contacts: 0, onboarding: 0, welcomeSent: 0, welcomeMessages: 0, welcomeSentEvents: 0 };
const COMPLETE: Outcome = { contacts: 1, onboarding: 1, welcomeSent: 1, welcomeMessages: 1, welcomeSentEvents: 1 };
const isComplete = (found: Outcome | undefined) =>
  !!found && found.welcomeSent >= 1 && found.welcomeMessages >= 1 && found.welcomeSentEvents >= 1;

/** Every item of the table that `filter` keeps, page by page. */
const scan = (
  db: DynamoDBDocumentClient,
  filter: string,
  names: Record<string, string>,
  values: Record<string, unknown>,
) =>
  scanAll(db, {
    TableName: LOCAL_TABLE_NAME,
    FilterExpression: filter,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  });

/** Per email: its contacts, onboarding enrollments and welcome send, message and event, from one scan. */
async function outcomes(db: DynamoDBDocumentClient): Promise<Map<string, Outcome>> {
  const items = await scan(
    db,
    '#t IN (:contact, :enrollment, :send, :message) OR (#t = :event AND begins_with(sk, :sent))',
    { '#t': 'type' },
    {
      ':contact': 'contact',
      ':enrollment': 'enrollment',
      ':send': 'send',
      ':message': 'message',
      ':event': 'event',
      ':sent': 'EVENT#email.sent:',
    },
  );
  const emailOf = new Map<string, string>();
  for (const item of items) if (item.type === 'contact') emailOf.set(String(item.pk), String(item.email));
  const byEmail = new Map<string, Outcome>();
  const of = (pk: string) => {
    const email = emailOf.get(pk) ?? `unknown:${pk}`;
    const found = byEmail.get(email) ?? { ...NO_OUTCOME };
    byEmail.set(email, found);
    return found;
  };
  const welcome = (sendKey: unknown) => String(sendKey).endsWith(`#${WELCOME_NODE}`);
  for (const item of items) {
    if (item.type === 'contact') of(String(item.pk)).contacts += 1;
    else if (item.type === 'enrollment' && item.journeyId === 'onboarding') of(String(item.pk)).onboarding += 1;
    else if (item.type === 'send' && welcome(item.sendKey) && item.status === 'sent')
      of(String(item.pk)).welcomeSent += 1;
    else if (item.type === 'message' && welcome(item.sendKey))
      of(`CONTACT#${String(item.contactId)}`).welcomeMessages += 1;
    else if (item.type === 'event' && (item.data as { nodeId?: string } | undefined)?.nodeId === WELCOME_NODE) {
      of(String(item.pk)).welcomeSentEvents += 1;
    }
  }
  return byEmail;
}

describe('kill -9 of the local stack during a burst of webhooks', () => {
  // A process kill keeps all that was written, synced or not (only a machine crash needs the
  // disk, which is not what this tests), so the data lives on tmpfs where there is one: DynamoDB
  // Local's and the journal's syncs cost nothing there, which halves the test's time.
  let dataDir = '';
  const running: ChildProcess[] = [];
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'tend-kill-'));
  });
  afterAll(async () => {
    for (const child of running) killGroup(child, 'SIGKILL');
    await Promise.all(running.map(exited));
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('completes every acknowledged webhook after a restart: one contact, one enrollment, one welcome send', async () => {
    const ports: Ports = {
      api: await freePort(),
      ses: await freePort(),
      dynamo: await freePort(),
      sfn: await freePort(),
    };
    const api = `http://127.0.0.1:${ports.api}`;
    const started = Date.now();
    const phases: string[] = [];
    const phase = (what: string) => phases.push(`${what} at ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const first = startStack(dataDir, ports);
    running.push(first.child);
    await eventually('the first start', () => healthy(api), 60_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${first.output()}`);
    });
    phase('started');

    // The burst: signed form submissions from several senders at once; the kill lands mid-way.
    const signer = new Webhook(DEFAULT_DEMO_SOURCE_SECRET);
    const run = randomUUID().slice(0, 8);
    const emails = Array.from({ length: WEBHOOKS }, (_, i) => `burst-${run}-${i}@example.com`);
    const acknowledged = new Map<string, string>();
    let next = 0;
    const sender = async (): Promise<void> => {
      while (next < emails.length) {
        const email = emails[next++] as string;
        const body = JSON.stringify({ email, firstName: 'Burst' });
        const id = `msg_${randomUUID()}`;
        try {
          const res = await fetch(`${api}/webhooks/demo-form`, {
            method: 'POST',
            headers: signedWebhookHeaders(signer, id, new Date(), body),
            body,
          });
          // Acknowledged: the 202 with the stored record's id, as a provider would read it.
          const answer = (await res.json()) as { status?: string; id?: string };
          if (res.status === 202 && answer.status === 'accepted' && answer.id) acknowledged.set(email, answer.id);
          if (acknowledged.size === KILL_AFTER) killGroup(first.child, 'SIGKILL');
        } catch {
          return; // The stack is gone: what was not acknowledged was never promised.
        }
      }
    };
    await Promise.all(Array.from({ length: SENDERS }, sender));
    killGroup(first.child, 'SIGKILL');
    await exited(first.child);
    phase(`killed after ${acknowledged.size} acknowledged`);
    expect(acknowledged.size).toBeGreaterThanOrEqual(KILL_AFTER);

    // Java dies with the group; the new DynamoDB Local must find the port free.
    await eventually('the DynamoDB Local port to be free', () => freePort(ports.dynamo), 10_000);
    const second = startStack(dataDir, ports);
    running.push(second.child);
    await eventually('the restart', () => healthy(api), 60_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${second.output()}`);
    });
    phase('restarted');

    const db = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        region: 'us-east-1',
        endpoint: `http://127.0.0.1:${ports.dynamo}`,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
    );
    try {
      let last = new Map<string, Outcome>();
      await eventually(
        'every acknowledged webhook to reach its welcome email',
        async () => {
          last = await outcomes(db);
          return [...acknowledged.keys()].every((email) => isComplete(last.get(email))) ? true : undefined;
        },
        150_000,
        // Each look scans the table: often enough, without slowing the pipeline it waits for.
        2_000,
      ).catch(async (error: unknown) => {
        // Which stage each missing one stopped at, its inbox record included.
        const missing = [...acknowledged].filter(([email]) => !isComplete(last.get(email)));
        const inbox = new Map(
          (await scan(db, '#t = :inbox', { '#t': 'type' }, { ':inbox': 'inbox' })).map((item) => [
            String(item.inboxId),
            String(item.status),
          ]),
        );
        const states = missing
          .slice(0, 5)
          .map(
            ([email, inboxId]) =>
              `${email} ${JSON.stringify(last.get(email) ?? 'no contact')} inbox ${inbox.get(inboxId) ?? 'missing'}`,
          );
        throw new Error(
          `${String(error)}: ${missing.length} of ${acknowledged.size} missing: ${states.join('; ')} (${phases.join(', ')})`,
        );
      });

      for (const email of acknowledged.keys()) expect({ email, ...last.get(email) }).toEqual({ email, ...COMPLETE });
      // A webhook the kill cut off may or may not have been stored, but never twice.
      for (const email of emails) {
        const found = last.get(email);
        if (found) expect({ email, most: Math.max(...Object.values(found)) }).toEqual({ email, most: 1 });
      }
      expect([...last.keys()].filter((email) => email.startsWith('unknown:'))).toEqual([]);
    } finally {
      db.destroy();
      killGroup(second.child, 'SIGTERM');
      await exited(second.child);
    }
  }, 300_000);
});
