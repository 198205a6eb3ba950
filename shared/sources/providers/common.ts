import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import {
  type CanonicalEvent,
  e164Schema,
  type Identifiers,
  type Normalised,
  type Profile,
  type PropertyValue,
} from '#core/canonical-event.ts';
import { emailSchema } from '#core/email-address.ts';
import type { Delivery, VerifyFailure } from './provider.ts';

/** Helpers the provider files share. Pure: node:crypto hashing only. */

/** Settings of a source kind that has none. */
export const emptySettingsSchema = z.object({}).strict();
export type EmptySettings = z.infer<typeof emptySettingsSchema>;

export function hmacSha256(key: string | Buffer, ...parts: (string | Buffer)[]): Buffer {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/** Constant-time comparison of a signature the caller sent with the one computed. */
export function sameBytes(given: Buffer, expected: Buffer): boolean {
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A short digest of the body, to tell apart deliveries a provider gives the same id. */
export const bodyDigest = (body: Buffer): string => createHash('sha256').update(body).digest('hex').slice(0, 16);

export const missingHeader = (name: string, detail = ''): VerifyFailure => ({
  ok: false,
  reason: 'missing_headers',
  message: `the ${name} header is required${detail}`,
});

export const badSignature = (header: string): VerifyFailure => ({
  ok: false,
  reason: 'bad_signature',
  message: `${header} does not match the body and secret`,
});

/** A header `parse` needs; its absence is a payload problem (422), reported like a zod issue. */
export function requiredHeader(delivery: Delivery, name: string): string {
  const value = delivery.header(name)?.trim();
  if (value) return value;
  throw new z.ZodError([
    { code: 'custom', path: ['headers', name], message: `the ${name} header is required`, input: undefined },
  ]);
}

// ---- Schemas for provider fields -------------------------------------------------------------

/**
 * Shopify and WooCommerce send numeric ids; Stripe and Typeform send strings. Numbers above 2^53
 * are accepted (Shopify's test payloads use them) although JSON.parse has already rounded them;
 * Shopify's `admin_graphql_api_id` carries the exact digits.
 */
export const providerIdSchema = z.union([
  z.number().nonnegative().refine(Number.isInteger, { message: 'an integer id' }),
  z.string().min(1).max(64),
]);
export type ProviderId = z.infer<typeof providerIdSchema>;

/** A decimal amount as a string (`"19.99"`) or a JSON number (WooCommerce line item `price`). */
export const decimalSchema = z.union([
  z
    .string()
    .trim()
    // At most 13 whole digits: minor units then stay exact integers (below 2^53).
    .regex(/^-?\d{1,13}(\.\d{1,8})?$/, 'a decimal amount such as "19.99"'),
  z.number().finite().gt(-1e13).lt(1e13),
]);

export const currencySchema = z.string().regex(/^[A-Za-z]{3}$/, 'a three-letter ISO 4217 currency code');

/** ISO 8601 with `Z` or an offset, as Shopify and Typeform send it. */
export const isoDateTimeSchema = z.iso.datetime({ offset: true });

/** Strings a provider may send as `null` or leave out. */
export const optionalText = z.string().nullish();

// ---- Building canonical events ----------------------------------------------------------------

/** Normalises a date-time with an offset to UTC ISO 8601. */
export const toIso = (value: string): string => new Date(value).toISOString();
export const unixToIso = (seconds: number): string => new Date(seconds * 1000).toISOString();

/** An email normalised by `emailSchema`, or undefined when absent or not an address. */
export function optionalEmail(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const result = emailSchema.safeParse(value);
  return result.success ? result.data : undefined;
}

/**
 * A phone number in E.164, or undefined. Spaces, dots, dashes and brackets are dropped from a
 * number that starts with `+` ("+1 (415) 555-0123"); a number without a country code is not
 * guessed at.
 */
export function optionalPhone(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (!trimmed.startsWith('+')) return undefined;
  const compact = trimmed.replace(/[\s().-]/g, '');
  return e164Schema.safeParse(compact).success ? compact : undefined;
}

/** Drops undefined entries, so stored events carry only what is known. */
export function compact<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export const identifiersOf = (ids: Identifiers): Identifiers => compact(ids);
export const hasIdentifier = (ids: Identifiers): boolean => Object.values(ids).some((v) => v !== undefined);

const NAME_MAX = 100;
const VALUE_MAX = 2_000;

const cleanName = (value: string | null | undefined): string | undefined => {
  const trimmed = value?.trim();
  return trimmed ? trimmed.slice(0, NAME_MAX) : undefined;
};

/** A profile from names and properties, or undefined when it would say nothing. */
export function profileOf(
  firstName: string | null | undefined,
  lastName: string | null | undefined,
  properties?: Record<string, PropertyValue>,
): Profile | undefined {
  const profile = compact({
    firstName: cleanName(firstName),
    lastName: cleanName(lastName),
    properties: properties && Object.keys(properties).length > 0 ? properties : undefined,
  });
  return Object.keys(profile).length > 0 ? profile : undefined;
}

/** A property name within the profile limit (100 characters). */
export const propertyName = (name: string): string => name.trim().slice(0, NAME_MAX);

/** A property value within the profile limit (strings up to 2,000 characters). */
export const propertyValue = (value: string | number | boolean | null): PropertyValue =>
  typeof value === 'string' ? value.slice(0, VALUE_MAX) : value;

export const ignored = (reason: string): Normalised => ({ kind: 'ignored', reason });

/** Events, or the reason there are none. */
export const eventsOr = (events: CanonicalEvent[], reason: string): Normalised =>
  events.length > 0 ? { kind: 'events', events } : ignored(reason);

export const NO_IDENTIFIER = 'carries no email, phone or customer id, so it cannot be tied to a contact';
