import { notFound } from '#domain/errors.ts';
import { clock, store } from '#runtime/app.ts';
import { httpLambda, json, jsonBody, requireAdmin } from '#runtime/http.ts';
import { createApiKey, keySummary, revokeApiKey } from '#services/api-keys.ts';

/** /api/keys: create (the token is shown once), list and revoke API keys. */
export const handler = httpLambda(async (event) => {
  await requireAdmin(event);
  switch (event.routeKey) {
    case 'GET /api/keys':
      return json(200, { keys: (await store.listApiKeys()).map(keySummary) });
    case 'POST /api/keys':
      return json(201, await createApiKey({ store, clock }, jsonBody(event), 'admin'));
    case 'POST /api/keys/{id}/revoke':
      return json(200, { key: await revokeApiKey({ store, clock }, event.pathParameters?.id ?? '') });
    default:
      throw notFound('no_route', `no route ${event.routeKey}`);
  }
});
