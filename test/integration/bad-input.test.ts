import { describe, expect, it } from 'vitest';
import {
  emailIndex,
  getContact,
  inboxRecord,
  postWebhook,
  type SignedPost,
  stack,
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
