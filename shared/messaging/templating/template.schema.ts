import * as z from 'zod';

/**
 * Stored email templates. A template is data: Liquid for personalisation inside MJML for the
 * responsive HTML, one variant per locale. It is checked and compiled when it is saved
 * (`compile.ts`, which needs the heavy `mjml` package) and rendered per contact when a journey
 * sends it (`render.ts`, Liquid only).
 *
 * Layout slot: a layout is a full `<mjml>` document holding exactly one `{{ content }}`. At
 * compile time that marker is replaced, as text, by the template's body fragment (MJML sections),
 * before MJML runs; `content` is not a variable anywhere else.
 *
 * Partials: `{% render 'footer' %}` (no arguments) in a body, layout or partial is replaced, as
 * text, by the partial's MJML at compile time, so partials may hold MJML components. A partial
 * sees the same variables as the template (contact, links, sender, ...).
 *
 * Locales are BCP 47 tags ('en', 'fr', 'fr-CA'); they are matched case-insensitively. Layouts and
 * partials may carry per-locale variants of their MJML, chosen like template locales.
 */

const slug = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'use lowercase letters, digits and dashes (e.g. "welcome-back")')
  .max(64);

export const LocaleTag = z
  .string()
  .regex(/^[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{2,8})*$/, 'use a BCP 47 language tag such as "en" or "fr-CA"');
export type LocaleTag = z.infer<typeof LocaleTag>;

export const TemplateLocale = z.object({
  subject: z.string().min(1).max(998),
  /** The MJML body fragment that goes into the layout, or a full `<mjml>` document without one. */
  mjml: z.string().min(1),
  /** Plain-text part (Liquid); derived from the HTML at compile time when absent. */
  text: z.string().min(1).optional(),
});
export type TemplateLocale = z.infer<typeof TemplateLocale>;

/** Locale variants keyed by locale; no two keys may differ only by case. */
const localeRecord = <T extends z.ZodType>(value: T) =>
  z.record(LocaleTag, value).superRefine((record, ctx) => {
    const seen = new Set<string>();
    for (const key of Object.keys(record)) {
      const lower = key.toLowerCase();
      if (seen.has(lower)) ctx.addIssue({ code: 'custom', path: [key], message: `locale "${key}" appears twice` });
      seen.add(lower);
    }
  });

export const EmailTemplate = z
  .object({
    id: slug,
    name: z.string().min(1).max(200),
    kind: z.enum(['marketing', 'transactional']),
    /** Subscription topic a marketing email belongs to (e.g. 'product-news'); marketing only. */
    topic: slug.optional(),
    layout: slug.optional(),
    defaultLocale: LocaleTag,
    locales: localeRecord(TemplateLocale),
  })
  .superRefine((t, ctx) => {
    if (t.kind === 'marketing' && !t.topic) {
      ctx.addIssue({ code: 'custom', path: ['topic'], message: 'a marketing template needs a subscription topic' });
    }
    if (t.kind === 'transactional' && t.topic) {
      ctx.addIssue({ code: 'custom', path: ['topic'], message: 'only marketing templates have a subscription topic' });
    }
    const keys = Object.keys(t.locales);
    if (keys.length === 0) ctx.addIssue({ code: 'custom', path: ['locales'], message: 'add at least one locale' });
    else if (!keys.some((k) => k.toLowerCase() === t.defaultLocale.toLowerCase())) {
      ctx.addIssue({
        code: 'custom',
        path: ['defaultLocale'],
        message: `the default locale "${t.defaultLocale}" has no variant (have: ${keys.join(', ')})`,
      });
    }
  });
export type EmailTemplate = z.infer<typeof EmailTemplate>;

export const EmailLayout = z.object({
  id: slug,
  /** A full `<mjml>` document with exactly one `{{ content }}` where the template body goes. */
  mjml: z.string().min(1),
  /** Optional per-locale variants of `mjml` (e.g. a translated header). */
  locales: localeRecord(z.string().min(1)).optional(),
});
export type EmailLayout = z.infer<typeof EmailLayout>;

export const EmailPartial = z.object({
  id: slug,
  /** MJML (and Liquid) spliced in where `{% render 'id' %}` stands. */
  mjml: z.string().min(1),
  /** Optional per-locale variants of `mjml` (e.g. a translated footer). */
  locales: localeRecord(z.string().min(1)).optional(),
});
export type EmailPartial = z.infer<typeof EmailPartial>;

export const CompiledLocale = z.object({
  /** Liquid, rendered without escaping. */
  subject: z.string(),
  /** HTML produced by MJML with the Liquid left in place; rendered with HTML escaping. */
  html: z.string(),
  /** Liquid, rendered without escaping. */
  text: z.string(),
});
export type CompiledLocale = z.infer<typeof CompiledLocale>;

/** What a save stores next to the source; everything the send path needs, nothing more. */
export const CompiledTemplate = z.object({
  /** Bumped when the compiled shape changes, so stored output can be recompiled. */
  format: z.literal(1),
  id: slug,
  kind: z.enum(['marketing', 'transactional']),
  topic: slug.optional(),
  defaultLocale: LocaleTag,
  locales: z.record(LocaleTag, CompiledLocale),
});
export type CompiledTemplate = z.infer<typeof CompiledTemplate>;

/** `template` is a problem with the template's settings (topic, default locale, layout id). */
export type TemplatePart = 'subject' | 'html' | 'text' | 'layout' | 'partial' | 'template';

/** One problem found at save time, worded for the person who wrote the template. */
export interface TemplateError {
  locale: string;
  part: TemplatePart;
  /** The layout or partial id, for those parts. */
  name?: string;
  line?: number;
  column?: number;
  variable?: string;
  message: string;
}
