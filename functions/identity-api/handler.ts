import { notFound } from '#domain/errors.ts';
import { requireAdmin } from '#runtime/admin.ts';
import { httpLambda, json, limitBody } from '#runtime/http.ts';
import { store } from '#runtime/wiring/store.ts';
import { dismissConflict, listConflicts } from '#services/identity-conflicts.ts';

/** Neither route reads a body; anything sent is refused above this before any work. */
const MAX_BODY_BYTES = 16 * 1024;

/** /api/identity/conflicts: identity conflicts waiting for review, and dismissing one. */
export const handler = httpLambda(async (event) => {
  limitBody(event, MAX_BODY_BYTES);
  await requireAdmin(event);
  switch (event.routeKey) {
    case 'GET /api/identity/conflicts':
      return json(200, { conflicts: await listConflicts({ store }) });
    case 'POST /api/identity/conflicts/{id}/dismiss':
      return json(200, await dismissConflict({ store }, event.pathParameters?.id));
    default:
      throw notFound('no_route', `no route ${event.routeKey}`);
  }
});
