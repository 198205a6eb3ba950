import type { z } from 'zod';
import { emptySettingsSchema } from './common.ts';
import type { Provider, SourceKind } from './provider.ts';
import { shopify } from './shopify.ts';
import { standardWebhooks } from './standard-webhooks.ts';
import { stripe } from './stripe.ts';
import { typeform, typeformSettingsSchema } from './typeform.ts';
import { woocommerce } from './woocommerce.ts';

export type { Delivery, Parsed, Provider, SourceKind, Verification, VerifyFailure } from './provider.ts';
export { SOURCE_KINDS } from './provider.ts';
export type { FieldTarget, TypeformSettings } from './typeform.ts';
export { typeformSettingsSchema } from './typeform.ts';

/**
 * Every provider by source kind. Settings are typed per provider; callers hold them as
 * `unknown`, parsed with `settingsSchemaFor(kind)` when the source is saved (and Typeform checks
 * them again in `parse`).
 */
export const providers: Record<SourceKind, Provider> = {
  'standard-webhooks': standardWebhooks,
  shopify,
  stripe,
  woocommerce,
  typeform,
};

const none = emptySettingsSchema.default({});
const SETTINGS_SCHEMAS: Record<SourceKind, z.ZodType> = {
  'standard-webhooks': none,
  shopify: none,
  stripe: none,
  woocommerce: none,
  typeform: typeformSettingsSchema.default({}),
};

/**
 * The zod schema for a source's `settings` (Typeform's `fieldMap`; the others take none). Absent
 * settings parse to `{}`; unknown keys are refused.
 */
export function settingsSchemaFor(kind: SourceKind): z.ZodType {
  return SETTINGS_SCHEMAS[kind];
}
