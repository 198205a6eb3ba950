import * as z from 'zod';
import { type ContactLookup, getContactView } from '#contacts/contact-view.ts';
import { ContactError } from '#contacts/errors.ts';
import { e164Schema } from '#core/canonical-event.ts';
import { emailSchema } from '#core/email-address.ts';
import { parseOrRefuse } from '#core/parse.ts';
import { apiLambda } from '#platform/authorize.ts';
import { json } from '#platform/http.ts';
import { store } from '#platform/wiring/store.ts';

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
export const handler = apiLambda(async (event) => {
  const query = parseOrRefuse(querySchema, event.queryStringParameters ?? {}, 'the query');
  const [[kind, value]] = Object.entries(query) as [[keyof typeof query, string]];
  const lookup: ContactLookup = kind === 'id' ? { contactId: value } : { kind, value };
  const view = await getContactView(store, lookup);
  if (!view) throw new ContactError('contact_not_found', `no contact has the ${kind} ${value}`);
  return json(200, view);
});
