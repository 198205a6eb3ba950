import type { Identifiers, Profile } from '#core/canonical-event.ts';
import { e164Schema } from '#core/canonical-event.ts';
import { emailSchema } from '#core/email-address.ts';

/**
 * How a CSV row becomes identifiers and a profile. Known headers (any case, spaces, dashes or
 * underscores) map to identity and name fields; every other column is a property named by its
 * header. Empty cells mean "no value": merge leaves the contact's value alone, replace removes it.
 */
const KNOWN: Record<string, keyof Identifiers | 'firstName' | 'lastName'> = {
  email: 'email',
  emailaddress: 'email',
  phone: 'phone',
  phonenumber: 'phone',
  mobile: 'phone',
  firstname: 'firstName',
  givenname: 'firstName',
  lastname: 'lastName',
  surname: 'lastName',
  familyname: 'lastName',
  userid: 'userId',
  externalid: 'userId',
  shopifycustomerid: 'shopifyCustomerId',
  stripecustomerid: 'stripeCustomerId',
  woocustomerid: 'wooCustomerId',
  woocommercecustomerid: 'wooCustomerId',
};

export const MAX_COLUMNS = 200;

export const fieldForHeader = (header: string) => KNOWN[header.toLowerCase().replace(/[\s_-]+/g, '')];

/** Spaces, dots, dashes and parentheses are dropped; what is left must be E.164. */
export const normalisePhone = (raw: string): string => raw.replace(/[\s().-]+/g, '');

export type RowResult = { ok: true; identifiers: Identifiers; profile: Profile } | { ok: false; message: string };

/** Maps one row (header → cell). Pure. */
export function rowToContact(row: Record<string, string>): RowResult {
  const identifiers: Identifiers = {};
  const profile: Required<Pick<Profile, 'properties'>> & Profile = { properties: {} };
  const entries = Object.entries(row);
  if (entries.length > MAX_COLUMNS) return { ok: false, message: `more than ${MAX_COLUMNS} columns` };
  for (const [header, rawCell] of entries) {
    const cell = (rawCell ?? '').trim();
    const field = fieldForHeader(header);
    if (field === 'firstName' || field === 'lastName') {
      if (cell) profile[field] = cell.slice(0, 100);
      continue;
    }
    if (field === 'email') {
      if (!cell) continue;
      const email = emailSchema.safeParse(cell);
      if (!email.success) return { ok: false, message: `${header}: "${cell}" is not a valid email address` };
      identifiers.email = email.data;
      continue;
    }
    if (field === 'phone') {
      if (!cell) continue;
      const phone = e164Schema.safeParse(normalisePhone(cell));
      if (!phone.success)
        return { ok: false, message: `${header}: "${cell}" is not a phone number in E.164 form (+14155550123)` };
      identifiers.phone = phone.data;
      continue;
    }
    if (field) {
      if (cell) identifiers[field] = cell.slice(0, 128);
      continue;
    }
    const key = header.trim();
    if (!key) continue;
    if (key.length > 100) return { ok: false, message: `column "${key.slice(0, 20)}…" has a name over 100 characters` };
    if (cell.length > 2_000) return { ok: false, message: `${key}: the value is over 2,000 characters` };
    if (cell) profile.properties[key] = cell;
  }
  if (Object.keys(identifiers).length === 0) {
    return { ok: false, message: 'no email, phone, userId or store customer id: nothing says who this row is' };
  }
  return { ok: true, identifiers, profile };
}
