import * as z from 'zod';
import { parseOrRefuse } from '#core/parse.ts';
import { callerName } from '#people/model.ts';
import { apiLambda } from '#platform/authorize.ts';
import { PlatformError } from '#platform/errors.ts';
import { header, json, jsonBody, limitBody } from '#platform/http.ts';
import { clock } from '#platform/wiring/clock.ts';
import { store } from '#platform/wiring/store.ts';
import { SegmentError } from '#segments/errors.ts';
import { getSegmentOrThrow, saveSegment, segmentView } from '#segments/segments.ts';

/** A segment rule is small: 20 conditions at most. */
const MAX_BODY_BYTES = 64 * 1024;

const membersQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().min(1).max(200).optional(),
  })
  .strict();

/**
 * /api/segments: list (with member counts), read (the rule in words, re-evaluation progress),
 * save a rule (If-Match: the revision it was read at) and page through the members.
 */
export const handler = apiLambda(async (event, caller) => {
  limitBody(event, MAX_BODY_BYTES);
  const deps = { store, clock };
  const id = event.pathParameters?.id ?? '';
  switch (event.routeKey) {
    case 'GET /api/segments':
      return json(200, { segments: (await store.listSegments()).map(segmentView) });
    case 'GET /api/segments/{id}':
      return json(200, segmentView(await getSegmentOrThrow(deps, id)));
    case 'PUT /api/segments/{id}': {
      const body = jsonBody(event);
      if (!body || typeof body !== 'object' || Array.isArray(body)) {
        throw new SegmentError('invalid_body', 'the body must be a segment: {"name", "match", "conditions"}');
      }
      const named = (body as { id?: unknown }).id;
      if (named !== undefined && named !== id) {
        throw new SegmentError('id_mismatch', `the body names segment "${String(named)}" but the URL names "${id}"`);
      }
      const ifMatch = header(event, 'if-match');
      const expected = ifMatch === undefined ? undefined : Number(ifMatch.replace(/"/g, ''));
      const saved = await saveSegment(
        deps,
        { ...body, id },
        { actor: callerName(caller), ...(Number.isInteger(expected) ? { expectedRevision: expected } : {}) },
      );
      return json(200, { ...segmentView(saved.segment), scope: saved.scope });
    }
    case 'GET /api/segments/{id}/members': {
      await getSegmentOrThrow(deps, id);
      const query = parseOrRefuse(membersQuery, event.queryStringParameters ?? {}, 'the query');
      return json(200, await store.listMembers(id, query.cursor, query.limit));
    }
    default:
      throw new PlatformError('no_route', `no route ${event.routeKey}`);
  }
});
