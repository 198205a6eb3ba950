import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach } from 'vitest';
import type { Clock } from '#core/clock.ts';
import type { TimelineEvent } from '#core/contact.ts';
import { CodedError } from '#core/errors.ts';
import { createLocalSecretBox } from '#platform/local-secret-box.ts';
import { createMemoryOutboundStore } from './memory-outbound.ts';
import type { OutboundStore } from './outbound-store.ts';
import { createOutboundWebhooks } from './outbound-webhooks.ts';

/** What the outbound webhook tests share: a real receiver, a hand-moved clock, the service under test. */

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}
interface Reply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  delayMs?: number;
}

/** A real HTTP receiver on loopback; `reply` decides each answer by its 1-based request number. */
export async function startReceiver() {
  const received: Received[] = [];
  let reply: (n: number) => Reply = () => ({ status: 200, body: 'ok' });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      const r = reply(received.length);
      const answer = () => {
        if (res.destroyed) return;
        res.writeHead(r.status, r.headers);
        res.end(r.body ?? '');
      };
      if (r.delayMs) setTimeout(answer, r.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    answer(fn: (n: number) => Reply) {
      reply = fn;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Recomputes the Standard Webhooks signature with node:crypto, independently of the code under test. */
export function signedBy(secret: string, request: Received): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const id = String(request.headers['webhook-id']);
  const ts = String(request.headers['webhook-timestamp']);
  const expected = createHmac('sha256', key)
    .update(Buffer.concat([Buffer.from(`${id}.${ts}.`), request.body]))
    .digest('base64');
  return String(request.headers['webhook-signature']).split(' ').includes(`v1,${expected}`);
}

/** The refusal a call ends in: its kind, its code and the paths its details name. */
export async function refusal(promise: Promise<unknown>): Promise<{ kind: string; code: string; paths: string[] }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CodedError) {
      const details = (error.details ?? []) as { path: string }[];
      return { kind: error.kind, code: error.code, paths: details.map((d) => d.path) };
    }
    throw error;
  }
  throw new Error('expected a refusal');
}

export const START = new Date('2026-11-23T10:00:00.000Z');
export const secretBox = createLocalSecretBox('outbound-test-master-key');

export const event = (eventId = 'evt-1', name: TimelineEvent['name'] = 'form.submitted'): TimelineEvent => ({
  eventId,
  contactId: 'c-1',
  name,
  at: '2026-11-23T09:59:00.000Z',
  data: { sourceId: 'demo-form', fields: { plan: 'pro' } },
});

/**
 * Registers a fresh memory store, a receiver and a clock at START for each test; `service()`
 * builds the service under test on them.
 */
export function outboundHarness() {
  const t = {
    now: START,
    store: createMemoryOutboundStore() as OutboundStore,
    receiver: undefined as unknown as Awaited<ReturnType<typeof startReceiver>>,
    clock: { now: () => new Date(t.now) } as Clock,
    advance(ms: number) {
      t.now = new Date(t.now.getTime() + ms);
    },
    seconds: () => Math.floor(t.now.getTime() / 1000),
    service: (options: { allowInsecure?: boolean; random?: () => number } = {}) =>
      createOutboundWebhooks({
        store: t.store,
        secretBox,
        clock: t.clock,
        random: options.random ?? (() => 0.5),
        allowInsecure: options.allowInsecure ?? true,
        attemptTimeoutMs: 300,
      }),
  };
  beforeEach(async () => {
    t.now = START;
    t.store = createMemoryOutboundStore();
    t.receiver = await startReceiver();
  });
  afterEach(async () => {
    await t.receiver.close();
  });
  return t;
}
