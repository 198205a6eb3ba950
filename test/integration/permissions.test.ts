import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { routes } from '#infra/manifest.ts';
import { adminCall } from '../support/local.ts';
import { userWithToken } from '../support/people.ts';

type Role = 'admin' | 'marketer' | 'analyst';
const ANYONE: Role[] = ['admin', 'marketer', 'analyst'];
const WRITERS: Role[] = ['admin', 'marketer'];
const ADMIN: Role[] = ['admin'];

/**
 * The permission matrix, every route × every role, as the README's table states it: written out
 * here rather than read from the code, so a change to who may do what has to change this table.
 * `self`: the user the path names may also call it (their own tokens).
 */
const MATRIX: [route: string, allowed: Role[], self?: 'self'][] = [
  ['GET /api/contacts', ANYONE],
  ['GET /api/sources', ADMIN],
  ['GET /api/sources/{id}', ADMIN],
  ['POST /api/sources', ADMIN],
  ['POST /api/sources/{id}/rotate', ADMIN],
  ['POST /api/sources/{id}/disable', ADMIN],
  ['POST /api/sources/{id}/enable', ADMIN],
  ['GET /api/keys', ADMIN],
  ['POST /api/keys', ADMIN],
  ['POST /api/keys/{id}/revoke', ADMIN],
  ['GET /api/identity/conflicts', ANYONE],
  ['POST /api/identity/conflicts/{id}/dismiss', ADMIN],
  ['POST /api/imports', ADMIN],
  ['GET /api/imports/{id}', ADMIN],
  ['POST /api/imports/{id}/rows', ADMIN],
  ['POST /api/imports/{id}/complete', ADMIN],
  ['GET /api/endpoints', ADMIN],
  ['GET /api/endpoints/{id}', ADMIN],
  ['GET /api/endpoints/{id}/deliveries', ADMIN],
  ['POST /api/endpoints', ADMIN],
  ['POST /api/endpoints/{id}/rotate', ADMIN],
  ['POST /api/endpoints/{id}/disable', ADMIN],
  ['GET /api/templates', ANYONE],
  ['GET /api/templates/{id}', ANYONE],
  ['GET /api/templates/{id}/versions', ANYONE],
  ['PUT /api/templates/{id}', WRITERS],
  ['POST /api/templates/{id}/preview', ANYONE],
  ['POST /api/templates/{id}/test-send', WRITERS],
  ['GET /api/journeys', ANYONE],
  ['POST /api/journeys/validate', ANYONE],
  ['GET /api/journeys/{id}', ANYONE],
  ['PUT /api/journeys/{id}', WRITERS],
  ['POST /api/journeys/{id}/validate', ANYONE],
  ['POST /api/journeys/{id}/publish', WRITERS],
  ['POST /api/journeys/{id}/pause', WRITERS],
  ['POST /api/journeys/{id}/resume', WRITERS],
  ['POST /api/journeys/{id}/archive', WRITERS],
  ['GET /api/journeys/{id}/versions', ANYONE],
  ['GET /api/journeys/{id}/versions/{version}', ANYONE],
  ['POST /api/journeys/{id}/simulate', ANYONE],
  ['POST /api/journeys/{id}/backtest', ANYONE],
  ['GET /api/tasks', ANYONE],
  ['POST /api/tasks/{id}/done', WRITERS],
  ['GET /api/segments', ANYONE],
  ['GET /api/segments/{id}', ANYONE],
  ['PUT /api/segments/{id}', WRITERS],
  ['GET /api/segments/{id}/members', ANYONE],
  ['GET /api/reports/kpis', ANYONE],
  ['GET /api/reports/journeys', ANYONE],
  ['GET /api/users', ADMIN],
  ['POST /api/users', ADMIN],
  ['GET /api/users/{userId}', ADMIN, 'self'],
  ['PATCH /api/users/{userId}', ADMIN],
  ['DELETE /api/users/{userId}', ADMIN],
  ['GET /api/users/{userId}/tokens', ADMIN, 'self'],
  ['POST /api/users/{userId}/tokens', ADMIN, 'self'],
  ['POST /api/users/{userId}/tokens/{tokenId}/revoke', ADMIN, 'self'],
  ['GET /api/audit', ADMIN],
  ['POST /api/contacts/{contactId}/unsubscribe', WRITERS],
  ['POST /api/contacts/{contactId}/resubscribe', WRITERS],
  ['GET /api/contacts/{contactId}/export', ADMIN],
  ['POST /api/contacts/{contactId}/erase', ADMIN],
  ['GET /api/privacy/requests/{requestId}', ADMIN],
];

const probe = `matrix-${randomUUID().slice(0, 8)}`;
const pathOf = (route: string) => route.split(' ')[1]?.replace(/\{\w+\}/g, probe) ?? '';

describe('the permission matrix', () => {
  it('names every authenticated route of the manifest, and only those', () => {
    const authenticated = routes
      .filter((r) => r.auth === 'user' || r.auth === 'user-or-api-key')
      .map((r) => `${r.method} ${r.path}`);
    expect(MATRIX.map(([route]) => route).sort()).toEqual(authenticated.sort());
  });

  it('answers 403 exactly where a role lacks the permission, on every route, for personal tokens', async () => {
    const tokens = {
      admin: (await userWithToken('admin')).token,
      marketer: (await userWithToken('marketer')).token,
      analyst: (await userWithToken('analyst')).token,
    };
    const outcomes: string[] = [];
    const expected: string[] = [];
    for (const [route, allowed] of MATRIX) {
      const method = route.split(' ')[0] ?? 'GET';
      for (const role of ANYONE) {
        // Ids that do not exist and empty bodies: an allowed call is refused for what it asks
        // (400, 404, 422), never for who asks, and changes nothing.
        const { status } = await adminCall(method, pathOf(route), method === 'GET' ? undefined : {}, tokens[role]);
        const outcome =
          status === 403
            ? 'forbidden'
            : status === 401
              ? 'unauthenticated'
              : status >= 500
                ? `failed (${status})`
                : 'allowed';
        outcomes.push(`${route} as ${role}: ${outcome}`);
        expected.push(`${route} as ${role}: ${allowed.includes(role) ? 'allowed' : 'forbidden'}`);
      }
    }
    expect(outcomes).toEqual(expected);
  });

  it('lets a user manage their own tokens, and only theirs', async () => {
    const analyst = await userWithToken('analyst');
    const other = await userWithToken('analyst');
    for (const [route] of MATRIX.filter(([, , self]) => self)) {
      const method = route.split(' ')[0] ?? 'GET';
      const path = (userId: string) =>
        (route.split(' ')[1] ?? '').replace('{userId}', userId).replace('{tokenId}', 'nope00000000');
      const body =
        route.startsWith('POST /api/users/{userId}/tokens') && !route.endsWith('revoke') ? { name: 'x' } : undefined;
      const own = await adminCall(method, path(analyst.userId), body, analyst.token);
      expect(own.status, route).not.toBe(403);
      expect((await adminCall(method, path(other.userId), body, analyst.token)).status).toBe(403);
    }
  });
});
