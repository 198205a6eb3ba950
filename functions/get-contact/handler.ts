import { z } from 'zod';
import { emailSchema } from '#domain/email-address.ts';
import { notFound } from '#domain/errors.ts';
import { parseOr422 } from '#domain/parse.ts';
import { store } from '#runtime/app.ts';
import { httpLambda, json, requireAdmin } from '#runtime/http.ts';
import { getContactView } from '#services/contacts.ts';

const querySchema = z.object({ email: emailSchema });

/** GET /api/contacts?email=… — profile, timeline (newest first) and journey enrollments. */
export const handler = httpLambda(async (event) => {
  await requireAdmin(event);
  const { email } = parseOr422(querySchema, event.queryStringParameters ?? {}, 'the query');
  const view = await getContactView(store, email);
  if (!view) throw notFound('contact_not_found', `no contact has the email ${email}`);
  return json(200, view);
});
