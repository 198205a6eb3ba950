import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LOCAL_TABLE_NAME } from '../../infra/local/table.ts';
import { adminCall, db, stack } from '../support/local.ts';
import { userWithToken } from '../support/people.ts';
import { scanAll } from '../support/scan.ts';

describe('users, roles and personal tokens', () => {
  it('lets an analyst read reports but not change a journey or create a source; a marketer saves a draft but cannot create a user; the audit log names the marketer', async () => {
    const analyst = await userWithToken('analyst');
    const marketer = await userWithToken('marketer');

    expect((await adminCall('GET', '/api/reports/kpis', undefined, analyst.token)).status).toBe(200);
    const onboarding = (await adminCall('GET', '/api/journeys/onboarding', undefined, analyst.token)).json;
    const id = `people-${randomUUID().slice(0, 8)}`;
    const document = { ...onboarding.draft.document, id, name: `Copy ${id}` };
    const refused = await adminCall('PUT', `/api/journeys/${id}`, document, analyst.token);
    expect(refused.status).toBe(403);
    expect(refused.json.error).toMatchObject({ code: 'forbidden', message: expect.stringContaining('analyst') });
    expect((await adminCall('GET', `/api/journeys/${id}`)).status).toBe(404);
    const source = await adminCall(
      'POST',
      '/api/sources',
      { sourceId: `x-${id}`, name: 'x', kind: 'shopify' },
      analyst.token,
    );
    expect(source.status).toBe(403);

    const saved = await adminCall('PUT', `/api/journeys/${id}`, document, marketer.token);
    expect(saved.status).toBe(200);
    const invite = await adminCall(
      'POST',
      '/api/users',
      { email: `no-${id}@x.example.com`, name: 'No', role: 'admin' },
      marketer.token,
    );
    expect(invite.status).toBe(403);

    const audit = await adminCall('GET', `/api/audit?target=journey:${id}`);
    expect(audit.json.entries).toEqual([
      expect.objectContaining({
        action: 'journey.save',
        target: `journey:${id}`,
        summary: `saved draft revision ${saved.json.revision} of journey ${id}`,
        actor: expect.objectContaining({
          kind: 'user',
          userId: marketer.userId,
          email: marketer.email,
          role: 'marketer',
          tokenName: 'marketer-cli',
        }),
        ip: expect.any(String),
      }),
    ]);
    // Analysts and marketers do not read the audit log.
    expect((await adminCall('GET', '/api/audit', undefined, marketer.token)).status).toBe(403);
  });

  it('shows a token once and stores only its hash; a revoked token or a deleted user stops working at once', async () => {
    const marketer = await userWithToken('marketer');
    const listed = await adminCall('GET', `/api/users/${marketer.userId}/tokens`, undefined, marketer.token);
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.json)).not.toContain(marketer.token.slice(-43));
    expect(listed.json.tokens).toEqual([expect.not.objectContaining({ hash: expect.anything() })]);

    // Nowhere in the table: the secret part of the token is kept only as its SHA-256.
    const secret = marketer.token.slice(-43);
    const everything = await scanAll(db, { TableName: LOCAL_TABLE_NAME });
    expect(everything.filter((item) => JSON.stringify(item).includes(secret))).toEqual([]);
    const stored = await scanAll(db, {
      TableName: LOCAL_TABLE_NAME,
      FilterExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `USER#${marketer.userId}` },
    });
    expect(JSON.stringify(stored)).not.toContain(secret);
    expect(stored).toEqual([expect.objectContaining({ hash: expect.stringMatching(/^[0-9a-f]{64}$/) })]);

    const second = await adminCall('POST', `/api/users/${marketer.userId}/tokens`, { name: 'laptop' }, marketer.token);
    expect(second.status).toBe(201);
    const revoke = `/api/users/${marketer.userId}/tokens/${marketer.tokenId}/revoke`;
    expect((await adminCall('POST', revoke, undefined, second.json.token)).status).toBe(200);
    expect((await adminCall('GET', '/api/journeys', undefined, marketer.token)).status).toBe(401);
    expect((await adminCall('GET', '/api/journeys', undefined, second.json.token)).status).toBe(200);

    expect((await adminCall('DELETE', `/api/users/${marketer.userId}`)).status).toBe(200);
    expect((await adminCall('GET', '/api/journeys', undefined, second.json.token)).status).toBe(401);
    const tampered = `${second.json.token.slice(0, -4)}AAAA`;
    expect((await adminCall('GET', '/api/journeys', undefined, tampered)).status).toBe(401);
  });

  it('refuses a second user with the same email, and a body that is not a user, naming the problem', async () => {
    const { email } = await userWithToken('analyst');
    const again = await adminCall('POST', '/api/users', { email: email.toUpperCase(), name: 'Twin', role: 'analyst' });
    expect(again).toMatchObject({ status: 409, json: { error: { code: 'email_taken' } } });
    const bad = await adminCall('POST', '/api/users', { email, name: 'X', role: 'owner' });
    expect(bad.status).toBe(422);
    expect(bad.json.error.message).toContain('role');
  });

  it('records every use of the admin token, reads included, with where it came from', async () => {
    const marker = `/api/journeys/audit-probe-${randomUUID().slice(0, 8)}`;
    expect((await adminCall('GET', marker)).status).toBe(404);
    const { json } = await adminCall('GET', `/api/audit?actor=admin-token&target=${encodeURIComponent(marker)}`);
    expect(json.entries).toEqual([
      expect.objectContaining({
        action: 'admin-token.use',
        status: 404,
        summary: `used the admin token: GET ${marker} answered 404`,
        actor: { kind: 'admin-token', role: 'admin' },
      }),
    ]);
    expect(stack.adminToken).not.toBe('');
  });
});
