import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  adminCall,
  emailIndex,
  eventsKey,
  getContact,
  inboxRecord,
  postWebhook,
  type SignedPost,
  stack,
  tieTwoIdentifiedContacts,
  uniqueEmail,
} from '../support/local.ts';

describe('bad webhook input is refused with a JSON error and stores nothing', () => {
  const cases = [
    {
      name: 'a bad signature',
      post: (email: string) => ({ body: JSON.stringify({ email }), secret: 'whsec_d3Jvbmctc2VjcmV0LWZvci10ZXN0cw==' }),
      status: 401,
      code: 'bad_signature',
    },
    {
      name: 'a stale timestamp',
      post: (email: string) => ({ body: JSON.stringify({ email }), timestamp: new Date(Date.now() - 6 * 60_000) }),
      status: 401,
      code: 'stale_timestamp',
    },
    {
      name: 'malformed JSON',
      post: (email: string) => ({ body: `{"email":"${email}"` }),
      status: 400,
      code: 'malformed_json',
    },
    {
      name: 'a payload that fails the schema',
      post: (email: string) => ({ body: JSON.stringify({ email, firstName: 42 }) }),
      status: 422,
      code: 'invalid_payload',
    },
    {
      name: 'an unknown source',
      post: (email: string) => ({ body: JSON.stringify({ email }), sourceId: 'no-such-source' }),
      status: 404,
      code: 'unknown_source',
    },
  ];

  it.each(cases)('$name → $status', async ({ post, status, code }) => {
    const email = uniqueEmail('bad');
    const options: SignedPost = post(email);
    const res = await postWebhook(options);
    expect(res.status).toBe(status);
    expect(res.json).toMatchObject({ error: { code, message: expect.any(String) } });
    expect(await inboxRecord(`${options.sourceId ?? 'demo-form'}:${res.id}`)).toBeUndefined();
    expect(await emailIndex(email)).toBeUndefined();
  });

  it('refuses /api/contacts without the admin token', async () => {
    const missing = await fetch(`${stack.api}/api/contacts?email=a@b.co`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: { code: 'unauthorized' } });
    expect((await getContact('a@b.co', 'wrong-token-0123456789')).status).toBe(401);
  });

  it('answers 404 for an unknown contact and 422 for a bad email query', async () => {
    expect((await getContact(uniqueEmail('nobody'))).status).toBe(404);
    expect((await getContact('not-an-email')).status).toBe(422);
  });

  it('refuses bodies over 256 KiB early', async () => {
    const res = await postWebhook({
      body: JSON.stringify({ email: 'big@example.com', firstName: 'x'.repeat(300_000) }),
    });
    expect(res.status).toBe(413);
  });
});

describe('admin APIs refuse oversize bodies and ids that name nothing, storing nothing', () => {
  /** A valid JSON body made oversize by trailing whitespace, so only its size is wrong. */
  async function postPadded(route: string, body: unknown, size: number) {
    const text = JSON.stringify(body);
    const res = await fetch(`${stack.api}${route}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.adminToken}`, 'content-type': 'application/json' },
      body: text + ' '.repeat(size - Buffer.byteLength(text)),
    });
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  }
  const tooLarge = { error: { code: 'payload_too_large', message: expect.stringContaining('larger than') } };

  it('POST /api/sources over 64 KiB → 413, and no source', async () => {
    const sourceId = `big-${randomUUID().slice(0, 8)}`;
    const res = await postPadded('/api/sources', { sourceId, name: 'Big', kind: 'woocommerce' }, 64 * 1024 + 1);
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject(tooLarge);
    expect((await adminCall('GET', `/api/sources/${sourceId}`)).status).toBe(404);
  });

  it('POST /api/keys over 16 KiB → 413, and no key', async () => {
    const name = `big-${randomUUID()}`;
    const res = await postPadded('/api/keys', { name, scopes: ['events:write'] }, 16 * 1024 + 1);
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject(tooLarge);
    const { json } = await adminCall('GET', '/api/keys');
    expect(json.keys.map((k: { name: string }) => k.name)).not.toContain(name);
  });

  it('POST /api/identity/conflicts/{id}/dismiss over 16 KiB → 413, and the conflict stays open', async () => {
    const { conflict } = await tieTwoIdentifiedContacts(await eventsKey());
    const res = await postPadded(`/api/identity/conflicts/${conflict.conflictId}/dismiss`, {}, 16 * 1024 + 1);
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject(tooLarge);
    const { json } = await adminCall('GET', '/api/identity/conflicts');
    const after = json.conflicts.find((c: { conflictId: string }) => c.conflictId === conflict.conflictId);
    expect(after.status).toBe('open');
  });

  it.each([
    ['dismissing a conflict', 'POST', (id: string) => `/api/identity/conflicts/${id}/dismiss`, 'unknown_conflict'],
    ['revoking an API key', 'POST', (id: string) => `/api/keys/${id}/revoke`, 'unknown_key'],
    ['reading a source', 'GET', (id: string) => `/api/sources/${id}`, 'unknown_source'],
    ['rotating a source', 'POST', (id: string) => `/api/sources/${id}/rotate`, 'unknown_source'],
    ['posting a webhook', 'POST', (id: string) => `/webhooks/${id}`, 'unknown_source'],
  ])('%s by an id that names nothing is a 404, not a 500', async (_, method, route, code) => {
    // DynamoDB refuses a sort key over 1,024 bytes with a validation error.
    for (const id of ['x'.repeat(1_500), encodeURIComponent('é'.repeat(600)), 'not-an-id']) {
      const res = await adminCall(method, route(id), method === 'POST' ? {} : undefined);
      expect({ id: id.slice(0, 20), status: res.status, code: res.json.error?.code }).toEqual({
        id: id.slice(0, 20),
        status: 404,
        code,
      });
    }
  });
});
