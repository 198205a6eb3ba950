import { dismissConflict, listConflicts } from '#contacts/identity-conflicts.ts';
import { apiLambda } from '#platform/authorize.ts';
import { PlatformError } from '#platform/errors.ts';
import { json, limitBody } from '#platform/http.ts';
import { store } from '#platform/wiring/store.ts';

/** Neither route reads a body; anything sent is refused above this before any work. */
const MAX_BODY_BYTES = 16 * 1024;

/** /api/identity/conflicts: identity conflicts waiting for review, and dismissing one. */
export const handler = apiLambda(async (event) => {
  limitBody(event, MAX_BODY_BYTES);
  switch (event.routeKey) {
    case 'GET /api/identity/conflicts':
      return json(200, { conflicts: await listConflicts({ store }) });
    case 'POST /api/identity/conflicts/{id}/dismiss':
      return json(200, await dismissConflict({ store }, event.pathParameters?.id));
    default:
      throw new PlatformError('no_route', `no route ${event.routeKey}`);
  }
});
