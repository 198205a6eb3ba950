import * as z from 'zod';
import { e164Schema } from '#domain/canonical-event.ts';
import { emailSchema } from '#domain/email-address.ts';
import { notFound } from '#domain/errors.ts';
import { parseOr422 } from '#domain/parse.ts';
import { requireAdmin } from '#runtime/admin.ts';
import { httpLambda, json } from '#runtime/http.ts';
import { store } from '#runtime/wiring/store.ts';
import { type ContactLookup, getContactView } from '#services/contacts.ts';

const id = z.string().min(1).max(128);
const querySchema = z
  .object({
    id: id.optional(),
    email: emailSchema.optional(),
    phone: e164Schema.optional(),
    userId: id.optional(),
    anonymousId: id.optional(),
    shopifyCustomerId: id.optional(),
    stripeCustomerId: id.optional(),
    wooCustomerId: id.optional(),
  })
  .strict()
  .refine(
    (q) => Object.keys(q).length === 1,
    'give exactly one of id, email, phone, userId, anonymousId, shopifyCustomerId, stripeCustomerId, wooCustomerId',
  );

/**
 * GET /api/contacts?email=… (or ?id=, ?phone=, ?shopifyCustomerId=, …): profile with
 * provenance, timeline (newest first) and journey enrollments.
 */
export const handler = httpLambda(async (event) => {
  await requireAdmin(event);
  const query = parseOr422(querySchema, event.queryStringParameters ?? {}, 'the query');
  const [[kind, value]] = Object.entries(query) as [[keyof typeof query, string]];
  const lookup: ContactLookup = kind === 'id' ? { contactId: value } : { kind, value };
  const view = await getContactView(store, lookup);
  if (!view) throw notFound('contact_not_found', `no contact has the ${kind} ${value}`);
  return json(200, view);
});
