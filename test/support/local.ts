import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, inject } from 'vitest';
import { signedWebhookHeaders } from '../../infra/local/signed-webhook.ts';
import { ensureTable, LOCAL_TABLE_NAME } from '../../infra/local/table.ts';

export const stack = inject('stack');
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
export const db = DynamoDBDocumentClient.from(
  new DynamoDBClient({ region: 'us-east-1', endpoint: stack.dynamodb, credentials }),
);
export const sfn = new SFNClient({ region: 'us-east-1', endpoint: stack.stepfunctions, credentials });

/**
 * A table of the test file's own on DynamoDB Local (the app's key layout, no stream), named
 * `<prefix>-<random>`: created before the file's tests, deleted after them.
 */
export function scratchTable(prefix: string): string {
  const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
  const admin = new DynamoDBClient({ region: 'us-east-1', endpoint: stack.dynamodb, credentials });
  beforeAll(() => ensureTable(admin, tableName, false));
  afterAll(async () => {
    await admin.send(new DeleteTableCommand({ TableName: tableName }));
    admin.destroy();
  });
  return tableName;
}

/** Polls until `probe` returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Waits until the local pipeline has handled every stream record written so far (and the SES
 * events they caused): call it before checking that something did not happen.
 */
export async function drained(): Promise<void> {
  const res = await fetch(`${stack.api}/local/drained`);
  if (!res.ok) throw new Error(`the local stack did not drain: ${res.status}`);
}

export const uniqueEmail = (tag: string) => `${tag}-${randomUUID().slice(0, 8)}@example.com`;

export interface SignedPost {
  id?: string;
  body: string;
  secret?: string;
  timestamp?: Date;
  sourceId?: string;
  signature?: string;
}

/** Posts a webhook signed with the reference Standard Webhooks implementation. */
export async function postWebhook(options: SignedPost) {
  const id = options.id ?? `msg_${randomUUID()}`;
  const timestamp = options.timestamp ?? new Date();
  const headers = signedWebhookHeaders(options.secret ?? stack.demoSourceSecret, id, timestamp, options.body);
  if (options.signature) headers['webhook-signature'] = options.signature;
  const res = await fetch(`${stack.api}/webhooks/${options.sourceId ?? 'demo-form'}`, {
    method: 'POST',
    headers,
    body: options.body,
  });
  return { id, status: res.status, json: (await res.json()) as Record<string, unknown> };
}

export interface CapturedEmail {
  messageId: string;
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
  headers?: { name: string; value: string }[];
}

/** Mail captured by the SES emulator for one recipient. */
export async function emailsTo(address: string): Promise<CapturedEmail[]> {
  const res = await fetch(`${stack.mail}/store`);
  const { emails } = (await res.json()) as { emails: CapturedEmail[] };
  return emails.filter((e) => e.destination.to.includes(address));
}

export interface ContactView {
  contact: { contactId: string; email: string; firstName?: string; unsubscribedAt?: string };
  timeline: { eventId: string; name: string; at: string; data: Record<string, unknown> }[];
  enrollments: { enrollmentId: string; journeyId: string; status: string; executionArn?: string }[];
}

export async function getContact(email: string, token = stack.adminToken) {
  const res = await fetch(`${stack.api}/api/contacts?email=${encodeURIComponent(email)}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return {
    status: res.status,
    body: (await res.json()) as ContactView & { error?: { code: string; message: string } },
  };
}

export async function inboxRecord(inboxId: string) {
  const out = await db.send(
    new GetCommand({ TableName: LOCAL_TABLE_NAME, Key: { pk: `INBOX#${inboxId}`, sk: 'INBOX' } }),
  );
  return out.Item;
}

export async function emailIndex(email: string) {
  const out = await db.send(
    new GetCommand({ TableName: LOCAL_TABLE_NAME, Key: { pk: `IDENTITY#email#${email}`, sk: 'IDENTITY' } }),
  );
  return out.Item;
}

/** Calls the admin API with the local admin token. */
export async function adminCall(method: string, route: string, body?: unknown, token = stack.adminToken) {
  const res = await fetch(`${stack.api}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // JSON responses are checked field by field by the assertions.
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

/** A fresh API key with the events:write scope. */
export async function eventsKey(): Promise<string> {
  const res = await adminCall('POST', '/api/keys', {
    name: `it-${randomUUID().slice(0, 8)}`,
    scopes: ['events:write'],
  });
  if (res.status !== 201) throw new Error(`could not create an API key: ${res.status}`);
  return res.json.token;
}

async function sendEvents(token: string, batch: unknown[]) {
  const res = await fetch(`${stack.api}/api/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ batch }),
  });
  if (res.status !== 202) throw new Error(`events API answered ${res.status}: ${await res.text()}`);
}

const contactIdBy = async (query: string): Promise<string | undefined> => {
  const res = await adminCall('GET', `/api/contacts?${query}`);
  return res.status === 200 ? res.json.contact.contactId : undefined;
};

/**
 * Two identified contacts (A known by an email, B by a userId and another email) and then one
 * event naming A's email and B's userId: nothing may merge, so identity resolution records a
 * conflict. Waits (with deadlines) for both contacts and for the conflict to be listed.
 */
export async function tieTwoIdentifiedContacts(token: string) {
  const tag = randomUUID().slice(0, 8);
  const a = { email: `conflict-a-${tag}@example.com` };
  const b = { email: `conflict-b-${tag}@example.com`, userId: `u-conflict-${tag}` };
  await sendEvents(token, [
    { type: 'identify', messageId: `m-a-${tag}`, traits: { email: a.email } },
    { type: 'identify', messageId: `m-b-${tag}`, userId: b.userId, traits: { email: b.email } },
  ]);
  const contactA = await eventually('contact A', () => contactIdBy(`email=${encodeURIComponent(a.email)}`));
  const contactB = await eventually('contact B', () => contactIdBy(`userId=${b.userId}`));
  const orderId = `o-conflict-${tag}`;
  await sendEvents(token, [
    {
      type: 'track',
      messageId: `m-tie-${tag}`,
      userId: b.userId,
      email: a.email,
      event: 'order.placed',
      properties: { orderId, total: { amountMinor: 1500, currency: 'EUR' } },
    },
  ]);
  const conflict = await eventually('the identity conflict to be listed', async () => {
    const { json } = await adminCall('GET', '/api/identity/conflicts');
    return (json.conflicts as { contactIds: string[] }[]).find(
      (c) => c.contactIds.includes(contactA) && c.contactIds.includes(contactB),
    ) as Record<string, any> | undefined;
  });
  return { a: { ...a, contactId: contactA }, b: { ...b, contactId: contactB }, orderId, conflict };
}
