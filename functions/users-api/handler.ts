import { listAudit } from '#people/audit.ts';
import {
  createToken,
  createUser,
  deleteUser,
  getUser,
  listTokens,
  listUsers,
  revokeToken,
  updateUser,
} from '#people/users.ts';
import { apiLambda } from '#platform/authorize.ts';
import { config } from '#platform/config.ts';
import { PlatformError } from '#platform/errors.ts';
import { json, jsonBody, limitBody } from '#platform/http.ts';
import { clock } from '#platform/wiring/clock.ts';
import { people } from '#platform/wiring/people.ts';

/** A user is a name, an email and a role; a body beyond this is refused before any work. */
const MAX_BODY_BYTES = 16 * 1024;
const deps = { people, clock, publicUrl: config.TEND_PUBLIC_URL };
/** Tokens and invitation links are shown once: never cached. */
const once = { 'cache-control': 'no-store' };

/** /api/users: invite, list, change and delete users, and their personal tokens; /api/audit: the log. */
export const handler = apiLambda(async (event, caller) => {
  limitBody(event, MAX_BODY_BYTES);
  const userId = event.pathParameters?.userId ?? '';
  switch (event.routeKey) {
    case 'GET /api/users':
      return json(200, await listUsers(deps));
    case 'POST /api/users':
      return json(201, await createUser(deps, jsonBody(event), caller), once);
    case 'GET /api/users/{userId}':
      return json(200, await getUser(deps, userId));
    case 'PATCH /api/users/{userId}':
      return json(200, await updateUser(deps, userId, jsonBody(event)), once);
    case 'DELETE /api/users/{userId}':
      return json(200, await deleteUser(deps, userId));
    case 'GET /api/users/{userId}/tokens':
      return json(200, await listTokens(deps, userId));
    case 'POST /api/users/{userId}/tokens':
      return json(201, await createToken(deps, userId, jsonBody(event)), once);
    case 'POST /api/users/{userId}/tokens/{tokenId}/revoke':
      return json(200, await revokeToken(deps, userId, event.pathParameters?.tokenId ?? ''));
    case 'GET /api/audit':
      return json(200, await listAudit(people, event.queryStringParameters));
    default:
      throw new PlatformError('no_route', `no route ${event.routeKey}`);
  }
});
