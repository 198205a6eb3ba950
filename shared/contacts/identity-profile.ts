import type { Profile, PropertyValue } from '#core/canonical-event.ts';
import type { Contact, Provenance } from '#core/contact.ts';
import { type IdentityDeps, MAX_ATTEMPTS } from './identity-model.ts';
import type { ProfileChange } from './model.ts';

export interface ApplyOptions {
  /** Provenance label: the source id, `import:<id>`, `api:<keyId>`. */
  source: string;
  /** When the values were true; an older value never overwrites a newer one. */
  at: string;
  /** `replace`: properties not in the profile are removed (CSV import's replace mode). */
  mode?: 'newer-wins' | 'replace';
  /** Only fill values the contact does not have (merges). */
  onlyMissing?: boolean;
  /** Per-key provenance to keep instead of `{source, at}` (merges carry the original). */
  provenance?: Record<string, Provenance>;
}

/**
 * Applies profile facts with provenance: each value remembers its source and time, and a value
 * from an older event never overwrites one from a newer event (webhooks arrive out of order).
 */
export async function applyProfile(
  deps: IdentityDeps,
  contactId: string,
  profile: Profile,
  options: ApplyOptions,
  /** The contact as just read, for the first attempt (a stale one fails its version check). */
  known?: Contact,
): Promise<'updated' | 'unchanged'> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const contact = attempt === 0 && known ? known : await deps.store.getContact(contactId);
    if (!contact) throw new Error(`no contact ${contactId}`);
    const change = profileChange(contact, profile, options);
    if (!change) return 'unchanged';
    if (await deps.store.changeProfile(contactId, contact.version ?? 0, change, deps.clock.now().toISOString())) {
      return 'updated';
    }
  }
  throw new Error(`profile update of ${contactId} kept racing with other writers`);
}

/** The change that applying `profile` makes, or undefined when it changes nothing. Pure. */
export function profileChange(contact: Contact, profile: Profile, options: ApplyOptions): ProfileChange | undefined {
  const change: ProfileChange = {};
  const provenance: Record<string, Provenance> = {};
  const stamp = (key: string): Provenance => options.provenance?.[key] ?? { source: options.source, at: options.at };
  const wins = (key: string, has: boolean) => {
    if (options.mode === 'replace') return true;
    if (options.onlyMissing) return !has;
    const previous = contact.provenance?.[key];
    return !previous || previous.at <= options.at;
  };
  for (const field of ['firstName', 'lastName'] as const) {
    const value = profile[field];
    if (value === undefined || value === '' || value === contact[field]) continue;
    if (!wins(field, contact[field] !== undefined)) continue;
    change[field] = value;
    provenance[field] = stamp(field);
  }
  const set: Record<string, PropertyValue> = {};
  for (const [key, value] of Object.entries(profile.properties ?? {})) {
    const has = key in contact.properties;
    if (has && contact.properties[key] === value) continue;
    if (!wins(`properties.${key}`, has)) continue;
    set[key] = value;
    provenance[`properties.${key}`] = stamp(`properties.${key}`);
  }
  if (Object.keys(set).length) change.setProperties = set;
  if (options.mode === 'replace') {
    const removed = Object.keys(contact.properties).filter((key) => !(key in (profile.properties ?? {})));
    if (removed.length) {
      change.removeProperties = removed;
      for (const key of removed) provenance[`properties.${key}`] = stamp(`properties.${key}`);
    }
  }
  if (Object.keys(change).length === 0) return undefined;
  change.provenance = provenance;
  return change;
}
