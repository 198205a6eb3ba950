import { callerName } from '#people/model.ts';
import { apiLambda } from '#platform/authorize.ts';
import { PlatformError } from '#platform/errors.ts';
import { json, jsonBody, limitBody } from '#platform/http.ts';
import { clock } from '#platform/wiring/clock.ts';
import { store } from '#platform/wiring/store.ts';
import { createApiKey, keySummary, revokeApiKey } from '#sources/api-keys.ts';

/** A key is a name and a few scopes; a body beyond this is refused before any work. */
const MAX_BODY_BYTES = 16 * 1024;

/** /api/keys: create (the token is shown once), list and revoke API keys. */
export const handler = apiLambda(async (event, caller) => {
  limitBody(event, MAX_BODY_BYTES);
  switch (event.routeKey) {
    case 'GET /api/keys':
      return json(200, { keys: (await store.listApiKeys()).map(keySummary) });
    case 'POST /api/keys':
      return json(201, await createApiKey({ store, clock }, jsonBody(event), callerName(caller)));
    case 'POST /api/keys/{id}/revoke':
      return json(200, { key: await revokeApiKey({ store, clock }, event.pathParameters?.id ?? '') });
    default:
      throw new PlatformError('no_route', `no route ${event.routeKey}`);
  }
});
