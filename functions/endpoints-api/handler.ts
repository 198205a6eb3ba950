import * as z from 'zod';
import { parseOrRefuse } from '#core/parse.ts';
import { MessagingError } from '#messaging/errors.ts';
import { callerName } from '#people/model.ts';
import { apiLambda } from '#platform/authorize.ts';
import { PlatformError } from '#platform/errors.ts';
import { json, jsonBody, limitBody } from '#platform/http.ts';
import { outbound } from '#platform/wiring/outbound.ts';

const querySchema = z.object({ limit: z.coerce.number().int().min(1).max(100).default(25) });

/** /api/endpoints: register, list, read, rotate and disable outbound webhook endpoints; read their log. */
export const handler = apiLambda(async (event, caller) => {
  const id = event.pathParameters?.id ?? '';
  switch (event.routeKey) {
    case 'GET /api/endpoints':
      return json(200, { endpoints: await outbound.listEndpoints() });
    case 'POST /api/endpoints': {
      limitBody(event, 16 * 1024);
      // The secret is in this answer only; it is stored sealed.
      return json(201, await outbound.createEndpoint(jsonBody(event), callerName(caller)), {
        'cache-control': 'no-store',
      });
    }
    case 'GET /api/endpoints/{id}': {
      const endpoint = await outbound.getEndpoint(id);
      if (!endpoint) throw new MessagingError('endpoint_not_found', `no webhook endpoint "${id}"`);
      return json(200, { endpoint });
    }
    case 'POST /api/endpoints/{id}/rotate':
      return json(200, await outbound.rotateEndpointSecret(id), { 'cache-control': 'no-store' });
    case 'POST /api/endpoints/{id}/disable':
      return json(200, { endpoint: await outbound.disableEndpoint(id) });
    case 'GET /api/endpoints/{id}/deliveries': {
      const { limit } = parseOrRefuse(querySchema, event.queryStringParameters ?? {}, 'the query');
      return json(200, { deliveries: await outbound.listDeliveries(id, limit) });
    }
    default:
      throw new PlatformError('no_route', `no route ${event.routeKey}`);
  }
});
