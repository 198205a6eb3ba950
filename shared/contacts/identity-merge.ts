import type { Contact } from '#core/contact.ts';
import { type IdentityDeps, MAX_ATTEMPTS } from './identity-model.ts';
import { applyProfile } from './identity-profile.ts';

/**
 * Folds an anonymous contact into an identified one: timeline, properties it lacks, device ids.
 * Each step is idempotent and the source is marked merged last, so a crash part-way is finished
 * by the next resolution that meets it.
 */
export async function mergeAnonymous(deps: IdentityDeps, from: Contact, into: string, cause: string): Promise<void> {
  const now = deps.clock.now().toISOString();
  for (const event of await deps.store.listEvents(from.contactId, 1_000)) {
    await deps.store.appendEvent({ ...event, contactId: into, mergedFrom: event.mergedFrom ?? from.contactId });
  }
  const provenance = from.provenance ?? {};
  await applyProfile(
    deps,
    into,
    { properties: from.properties, firstName: from.firstName, lastName: from.lastName },
    { source: `merge:${from.contactId}`, at: from.updatedAt, onlyMissing: true, provenance },
  );
  for (const anonymousId of from.anonymousIds ?? []) {
    await deps.store.moveIdentifier({ kind: 'anonymousId', value: anonymousId }, from.contactId, into);
  }
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const target = (await deps.store.getContact(into)) as Contact;
    const missing = (from.anonymousIds ?? []).filter((id) => !(target.anonymousIds ?? []).includes(id));
    if (missing.length === 0) break;
    if (await deps.store.changeProfile(into, target.version ?? 0, { addAnonymousIds: missing }, now)) break;
  }
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const source = await deps.store.getContact(from.contactId);
    if (!source || source.mergedInto) break;
    if (await deps.store.changeProfile(from.contactId, source.version ?? 0, { mergedInto: into }, now)) break;
  }
  await deps.store.appendEvent({
    eventId: `contact.merged:${from.contactId}`,
    contactId: into,
    name: 'contact.merged',
    at: now,
    data: { from: from.contactId, cause },
  });
}
