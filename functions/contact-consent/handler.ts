import * as z from 'zod';
import { recordStaffConsent } from '#contacts/staff-consent.ts';
import { parseOrRefuse } from '#core/parse.ts';
import { callerName } from '#people/model.ts';
import { apiLambda } from '#platform/authorize.ts';
import { PlatformError } from '#platform/errors.ts';
import { json, jsonBody, limitBody } from '#platform/http.ts';
import { clock } from '#platform/wiring/clock.ts';
import { store } from '#platform/wiring/store.ts';

const MAX_BODY_BYTES = 4 * 1024;
const pathSchema = z.object({ contactId: z.string().min(1).max(128) });
const deps = { store, clock };

/**
 * POST /api/contacts/{contactId}/unsubscribe and /resubscribe `{topic}` (`"all"`: every
 * marketing topic): a person's request, recorded by staff on the timeline and in the audit log.
 */
export const handler = apiLambda(async (event, caller) => {
  limitBody(event, MAX_BODY_BYTES);
  const { contactId } = parseOrRefuse(pathSchema, event.pathParameters ?? {}, 'the path');
  switch (event.routeKey) {
    case 'POST /api/contacts/{contactId}/unsubscribe':
      return json(200, await recordStaffConsent(deps, contactId, 'unsubscribe', jsonBody(event), callerName(caller)));
    case 'POST /api/contacts/{contactId}/resubscribe':
      return json(200, await recordStaffConsent(deps, contactId, 'resubscribe', jsonBody(event), callerName(caller)));
    default:
      throw new PlatformError('no_route', `no route ${event.routeKey}`);
  }
});
