import { describe, expect, it } from 'vitest';
import { ROUTE_ACCESS } from './access.ts';
import { auditEntryFor, fillPhrase } from './audit.ts';
import { createMemoryPeople } from './memory-people.ts';
import type { Caller } from './model.ts';
import { parsePersonalToken, sha256 } from './tokens.ts';
import { createToken, createUser, deleteUser, updateUser } from './users.ts';

const now = new Date('2026-12-08T10:00:00Z');
const deps = () => ({ people: createMemoryPeople(), clock: { now: () => now }, publicUrl: 'https://crm.example.com/' });
const breakGlass: Caller = { kind: 'admin-token', role: 'admin' };

/** Marks an invited user active, as accepting the invitation does. */
async function activate(people: ReturnType<typeof createMemoryPeople>, userId: string) {
  const user = await people.getUser(userId);
  if (user) await people.putUser({ ...user, status: 'active' });
}

describe('users', () => {
  it('invites a user with a link valid for 72 hours whose secret is stored only as a hash', async () => {
    const d = deps();
    const out = await createUser(d, { email: 'Ann@Example.com', name: 'Ann', role: 'marketer' }, breakGlass);
    expect(out.user).toMatchObject({
      email: 'ann@example.com',
      role: 'marketer',
      status: 'invited',
      createdBy: 'admin token',
    });
    expect(out.user).not.toHaveProperty('invitationHash');
    expect(out.invitation.expiresAt).toBe('2026-12-11T10:00:00.000Z');
    const token = new URL(out.invitation.url).searchParams.get('token') ?? '';
    expect(out.invitation.url.startsWith('https://crm.example.com/dashboard/invitation?token=')).toBe(true);
    const stored = await d.people.getUser(out.user.userId);
    expect(stored?.invitationHash).toBe(sha256(token.split('.')[1] ?? ''));
  });

  it('keeps one active admin: the last one can be neither demoted nor deleted', async () => {
    const d = deps();
    const { user } = await createUser(d, { email: 'boss@example.com', name: 'Boss', role: 'admin' }, breakGlass);
    await activate(d.people, user.userId);
    await expect(updateUser(d, user.userId, { role: 'analyst' })).rejects.toMatchObject({ code: 'last_admin' });
    await expect(deleteUser(d, user.userId)).rejects.toMatchObject({ code: 'last_admin' });
    const second = await createUser(d, { email: 'two@example.com', name: 'Two', role: 'admin' }, breakGlass);
    await activate(d.people, second.user.userId);
    const changed = await updateUser(d, user.userId, { role: 'analyst' });
    expect(changed.changes).toBe('role admin → analyst');
    // A session carries the role it was issued with: the change ends them.
    expect(changed.user.sessionsValidAfter).toBe(now.toISOString());
  });

  it('revokes every personal token of a user whose password an admin resets', async () => {
    const d = deps();
    const { user } = await createUser(d, { email: 'lost@example.com', name: 'Lost', role: 'marketer' }, breakGlass);
    await createToken(d, user.userId, { name: 'laptop' });
    await createToken(d, user.userId, { name: 'phone' });
    const out = await updateUser(d, user.userId, { reinvite: true });
    expect(out.changes).toBe('sent a new invitation (the password was reset); revoked 2 personal tokens');
    expect((await d.people.listTokens(user.userId)).map((t) => t.revokedAt)).toEqual([
      now.toISOString(),
      now.toISOString(),
    ]);
  });

  it('shows a personal token once, in the shape that names its user and token', async () => {
    const d = deps();
    const { user } = await createUser(d, { email: 'ci@example.com', name: 'CI', role: 'analyst' }, breakGlass);
    const out = await createToken(d, user.userId, { name: 'ci' });
    expect(parsePersonalToken(out.token)).toMatchObject({ userId: user.userId, tokenId: out.tokenId });
    expect(out).not.toHaveProperty('hash');
    expect(JSON.stringify(await d.people.listTokens(user.userId))).not.toContain(out.token);
  });
});

describe('audit entries', () => {
  const marketer: Caller = {
    kind: 'user',
    userId: 'u1',
    email: 'm@example.com',
    role: 'marketer',
    via: 'token',
    tokenName: 'ci',
  };
  const request = (caller: Caller, route: string, status: number, response: unknown = {}) => ({
    caller,
    route,
    params: { id: 'onboarding' },
    status,
    response,
    ip: '203.0.113.9',
    userAgent: 'tend-cli',
    at: now,
  });

  it('records a change in words, filled from the path and the answer', () => {
    const route = 'PUT /api/journeys/{id}';
    const entry = auditEntryFor(ROUTE_ACCESS[route], request(marketer, route, 200, { revision: 4 }));
    expect(entry).toMatchObject({
      action: 'journey.save',
      target: 'journey:onboarding',
      summary: 'saved draft revision 4 of journey onboarding',
      actor: { kind: 'user', userId: 'u1', email: 'm@example.com', role: 'marketer', tokenName: 'ci' },
      ip: '203.0.113.9',
    });
  });

  it('records nothing for a user reading or for a refused change, and everything for the admin token', () => {
    expect(
      auditEntryFor(ROUTE_ACCESS['GET /api/journeys/{id}'], request(marketer, 'GET /api/journeys/{id}', 200)),
    ).toBe(undefined);
    expect(
      auditEntryFor(ROUTE_ACCESS['PUT /api/journeys/{id}'], request(marketer, 'PUT /api/journeys/{id}', 422)),
    ).toBe(undefined);
    expect(
      auditEntryFor(ROUTE_ACCESS['GET /api/journeys/{id}'], request(breakGlass, 'GET /api/journeys/{id}', 200)),
    ).toMatchObject({ action: 'admin-token.use', target: '/api/journeys/onboarding' });
  });

  it('leaves an unknown placeholder as written', () => {
    expect(fillPhrase('x {response.missing} {id}', { id: 'a' }, {})).toBe('x {response.missing} a');
  });
});

describe('the access table', () => {
  it('gives every change an audit phrase', () => {
    const unaudited = Object.entries(ROUTE_ACCESS)
      .filter(([route, access]) => !route.startsWith('GET ') && access.permission !== 'read' && !access.audit)
      .map(([route]) => route);
    // Rows of an import are audited by its start and completion.
    expect(unaudited).toEqual(['POST /api/imports/{id}/rows']);
  });
});
