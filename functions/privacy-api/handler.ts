import * as z from 'zod';
import { privacyRequest, requestErase } from '#contacts/privacy/erase.ts';
import { exportContact } from '#contacts/privacy/export.ts';
import { parseOrRefuse } from '#core/parse.ts';
import { apiLambda } from '#platform/authorize.ts';
import { PlatformError } from '#platform/errors.ts';
import { json, limitBody } from '#platform/http.ts';
import { linkSecret } from '#platform/secrets.ts';
import { clock } from '#platform/wiring/clock.ts';
import { executions } from '#platform/wiring/journeys.ts';
import { personItems as people, privacy } from '#platform/wiring/privacy.ts';
import { store } from '#platform/wiring/store.ts';

const id = z.string().min(1).max(128);
const paramsSchema = z.object({ contactId: id.optional(), requestId: id.optional() });

/**
 * A person's data: `GET /api/contacts/{contactId}/export` (everything held about them),
 * `POST /api/contacts/{contactId}/erase` (202: the erase runs in `erase-contact`) and
 * `GET /api/privacy/requests/{requestId}` (its progress). Admins only (`privacy:manage`); the
 * wrapper audits each, naming the person only by a keyed hash or the request id.
 */
export const handler = apiLambda(async (event) => {
  // Nothing here reads a body: anything sent is refused before any work.
  limitBody(event, 1024);
  const params = parseOrRefuse(paramsSchema, event.pathParameters ?? {}, 'the path');
  switch (event.routeKey) {
    case 'GET /api/contacts/{contactId}/export':
      return json(200, await exportContact({ people, store, executions, clock }, params.contactId ?? ''));
    case 'POST /api/contacts/{contactId}/erase': {
      const request = await requestErase({ privacy, store, secret: linkSecret, clock }, params.contactId ?? '');
      return json(202, request);
    }
    case 'GET /api/privacy/requests/{requestId}':
      return json(200, await privacyRequest({ privacy }, params.requestId ?? ''));
    default:
      throw new PlatformError('no_route', `no route ${event.routeKey}`);
  }
});
