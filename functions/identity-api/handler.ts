import { notFound } from '#domain/errors.ts';
import { store } from '#runtime/app.ts';
import { httpLambda, json, requireAdmin } from '#runtime/http.ts';

/** /api/identity/conflicts: identity conflicts waiting for review, and dismissing one. */
export const handler = httpLambda(async (event) => {
  await requireAdmin(event);
  switch (event.routeKey) {
    case 'GET /api/identity/conflicts': {
      const conflicts = (await store.listConflicts()).sort((a, b) => b.at.localeCompare(a.at));
      return json(200, { conflicts });
    }
    case 'POST /api/identity/conflicts/{id}/dismiss': {
      const id = event.pathParameters?.id ?? '';
      if (!(await store.setConflictStatus(id, 'dismissed'))) throw notFound('unknown_conflict', `no conflict "${id}"`);
      return json(200, { conflictId: id, status: 'dismissed' });
    }
    default:
      throw notFound('no_route', `no route ${event.routeKey}`);
  }
});
