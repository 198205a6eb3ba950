/**
 * The best of `available` for a wanted locale, or undefined: the exact tag (case-insensitive,
 * `fr_CA` read as `fr-CA`), then its language alone (`fr`), then another region of that language
 * (`fr-BE` for `fr-CA`, alphabetically first so the choice is stable).
 */
export function matchLocale(available: readonly string[], wanted: string | undefined): string | undefined {
  const tag = wanted?.trim().replace(/_/g, '-').toLowerCase();
  if (!tag) return undefined;
  const exact = available.find((a) => a.toLowerCase() === tag);
  if (exact) return exact;
  const language = tag.split('-')[0];
  const bare = available.find((a) => a.toLowerCase() === language);
  if (bare) return bare;
  return available.filter((a) => a.toLowerCase().split('-')[0] === language).sort()[0];
}
