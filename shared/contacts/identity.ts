import type { Identifiers } from '#core/canonical-event.ts';
import type { Contact, ExternalIds, TimelineEvent } from '#core/contact.ts';
import { deterministicId, newContactId } from '#core/ids.ts';
import { scoreContact, storedScores } from '#scoring/scores.ts';
import { mergeAnonymous } from './identity-merge.ts';
import {
  EXTERNAL_KINDS,
  heldValue,
  holds,
  type IdentityDeps,
  isIdentified,
  MAX_ATTEMPTS,
  type Resolution,
  type ResolveInput,
  refsOf,
} from './identity-model.ts';
import { profileChange } from './identity-profile.ts';
import type { IdentityConflict, IdentityRef, ProfileChange } from './model.ts';
import type { ContactStore } from './store.ts';

/**
 * Identity resolution: every identifier (normalised email, E.164 phone, provider customer ids,
 * the customer's own user id, anonymous ids) points at exactly one contact through a
 * conditionally written index entry. An event's identifiers find zero, one or several contacts:
 * - none: a new contact holding all of them;
 * - one: that contact, which gains the identifiers nobody holds yet;
 * - several, at most one identified: the anonymous ones merge into it (timeline, properties, ids);
 * - two or more identified: nothing merges. The event goes to the contact its strongest
 *   identifier names and the conflict is recorded for a person to review.
 * A contact already holding a different email (or phone, or provider id) keeps it; the new
 * value is recorded as a conflict rather than silently replacing or joining it.
 */

/** Finds or creates the one contact these identifiers describe; see the module comment. */
export async function resolveContact(deps: IdentityDeps, input: ResolveInput): Promise<Resolution> {
  const refs = refsOf(input.identifiers);
  if (refs.length === 0) throw new Error('an event needs at least one identifier to resolve a contact');

  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const holders = await Promise.all(refs.map((ref) => findHolder(deps.store, ref)));
    const found = new Map<string, Contact>();
    for (const holder of holders) if (holder) found.set(holder.contactId, holder);

    if (found.size === 0) {
      const created = await createContact(deps, input, refs);
      if (created) {
        const eventStored = input.event !== undefined;
        return { contactId: created, created: true, fresh: true, eventStored, merged: [], conflicts: [] };
      }
      continue; // someone claimed one of the identifiers meanwhile: resolve again
    }

    const candidates = [...found.values()];
    const identified = candidates.filter(isIdentified);
    const firstHolder = holders.find(Boolean) as Contact;
    const conflicts: IdentityConflict[] = [];
    let primary: Contact;
    const merged: string[] = [];

    const sharedOnly = await splitOnSharedWeakIdentifier(deps, input, refs, holders, identified);
    if (sharedOnly === 'retry') continue;
    if (sharedOnly) return sharedOnly;

    if (identified.length > 1) {
      primary = isIdentified(firstHolder) ? firstHolder : (identified[0] as Contact);
      const others = identified.filter((c) => c.contactId !== primary.contactId).map((c) => c.contactId);
      conflicts.push(
        await recordConflict(deps, input, 'two-contacts', [primary.contactId, ...others], describeTwo(refs, holders)),
      );
    } else {
      primary = identified[0] ?? firstHolder;
      for (const other of candidates) {
        if (other.contactId === primary.contactId) continue;
        await mergeAnonymous(deps, other, primary.contactId, input.cause);
        merged.push(other.contactId);
      }
    }

    // Read at the start of this attempt; a merge changed it since.
    const known = merged.length === 0 ? primary : undefined;
    const outcome = await attachIdentifiers(deps, input, primary.contactId, refs, holders, conflicts, known);
    if (outcome === 'retry') continue;
    const latest = outcome.unchanged ?? ((await deps.store.getContact(primary.contactId)) as Contact);
    return {
      contactId: primary.contactId,
      created: latest.createdBy === input.cause,
      merged,
      conflicts,
      contact: latest,
    };
  }
  throw new Error(`identity resolution for ${input.cause} kept racing with other writers`);
}

/**
 * An event whose email nobody holds, matching an identified contact with another email only
 * through a phone or a device id, is about a different person who shares that phone or device
 * (a family, a shop's placeholder number): a new contact gets the email, and the shared
 * identifier is recorded as a conflict for review instead of pulling the event to the wrong person.
 */
async function splitOnSharedWeakIdentifier(
  deps: IdentityDeps,
  input: ResolveInput,
  refs: IdentityRef[],
  holders: (Contact | undefined)[],
  identified: Contact[],
): Promise<Resolution | 'retry' | undefined> {
  const emailAt = refs.findIndex((r) => r.kind === 'email');
  const other = identified[0];
  if (emailAt < 0 || holders[emailAt] || identified.length !== 1 || !other?.email) return undefined;
  const strong = refs.some(
    (r, i) => holders[i]?.contactId === other.contactId && r.kind !== 'phone' && r.kind !== 'anonymousId',
  );
  if (strong || other.email === refs[emailAt]?.value) return undefined;
  const unclaimed = refs.filter((_, i) => !holders[i]);
  const shared = refs.filter((_, i) => holders[i]?.contactId === other.contactId);
  const identifiers = Object.fromEntries(unclaimed.map((r) => [r.kind, r.value])) as Identifiers;
  const created = await createContact(deps, { ...input, identifiers }, unclaimed);
  if (!created) return 'retry';
  const conflict = await recordConflict(
    deps,
    input,
    'two-contacts',
    [created, other.contactId],
    `${shared.map((r) => `${r.kind} ${r.value}`).join(', ')} also belongs to ${other.contactId} (${other.email}); the event is for ${refs[emailAt]?.value}, which got its own contact`,
  );
  return {
    contactId: created,
    created: true,
    eventStored: input.event !== undefined,
    merged: [],
    conflicts: [conflict],
  };
}

/** The contact holding an identifier, following a merge to where it went. */
async function findHolder(store: ContactStore, ref: IdentityRef): Promise<Contact | undefined> {
  let contactId = await store.findContactIdByIdentifier(ref.kind, ref.value);
  for (let hops = 0; contactId && hops < 5; hops++) {
    const contact = await store.getContact(contactId);
    if (!contact?.mergedInto) return contact;
    contactId = contact.mergedInto;
  }
  return undefined;
}

async function createContact(
  deps: IdentityDeps,
  input: ResolveInput,
  refs: IdentityRef[],
): Promise<string | undefined> {
  const now = deps.clock.now().toISOString();
  const ids = input.identifiers;
  const externalIds: ExternalIds = {};
  for (const kind of EXTERNAL_KINDS) if (ids[kind]) externalIds[kind] = ids[kind];
  const blank: Contact = {
    contactId: newContactId(),
    ...(ids.email ? { email: ids.email } : {}),
    ...(ids.phone ? { phone: ids.phone } : {}),
    externalIds,
    anonymousIds: ids.anonymousId ? [ids.anonymousId] : [],
    properties: {},
    provenance: {},
    // The map exists from the start, so recording a later event's time is one write.
    lastEventAt: input.lastEvent ? { [input.lastEvent.name]: input.lastEvent.at } : {},
    version: 1,
    createdAt: input.at,
    updatedAt: now,
    createdBy: input.cause,
  };
  const initial = input.profile
    ? profileChange(blank, input.profile, { source: input.source ?? input.cause, at: input.at })
    : undefined;
  const contact: Contact = {
    ...blank,
    ...(initial?.firstName ? { firstName: initial.firstName } : {}),
    ...(initial?.lastName ? { lastName: initial.lastName } : {}),
    properties: initial?.setProperties ?? {},
    provenance: initial?.provenance ?? {},
  };
  const created: TimelineEvent = {
    eventId: `contact.created:${input.cause}`,
    contactId: contact.contactId,
    name: 'contact.created',
    at: input.at,
    data: { cause: input.cause },
  };
  const cause = input.event && { ...input.event, contactId: contact.contactId };
  // Its scores from its first events, stored with it: refreshing them later finds them current.
  const scored = storedScores(scoreContact(contact, cause ? [created, cause] : [created], deps.clock.now()));
  const outcome = await deps.store.createContact(
    { ...contact, scores: scored, scoresAt: now, scoresVersion: contact.version ?? 0 },
    created,
    refs,
    cause,
  );
  return outcome === 'created' ? contact.contactId : undefined;
}

function describeTwo(refs: IdentityRef[], holders: (Contact | undefined)[]): string {
  return refs
    .map((ref, i) => (holders[i] ? `${ref.kind} ${ref.value} belongs to ${holders[i]?.contactId}` : ''))
    .filter(Boolean)
    .join('; ');
}

async function recordConflict(
  deps: IdentityDeps,
  input: ResolveInput,
  kind: IdentityConflict['kind'],
  contactIds: string[],
  detail: string,
): Promise<IdentityConflict> {
  const conflict: IdentityConflict = {
    // Not from the detail: a replay words it differently but is the same conflict.
    conflictId: deterministicId('x', input.cause, kind, ...contactIds),
    kind,
    contactIds,
    identifiers: input.identifiers,
    cause: input.cause,
    detail,
    at: deps.clock.now().toISOString(),
    status: 'open',
  };
  await deps.store.putConflict(conflict);
  return conflict;
}

/**
 * Gives the primary contact every identifier nobody holds (and repairs its profile for ones it
 * holds in the index but not yet on the profile, after a crash between the two writes).
 */
async function attachIdentifiers(
  deps: IdentityDeps,
  input: ResolveInput,
  contactId: string,
  refs: IdentityRef[],
  holders: (Contact | undefined)[],
  conflicts: IdentityConflict[],
  /** The contact as just read, for the first attempt. */
  known?: Contact,
): Promise<{ unchanged?: Contact } | 'retry'> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const contact = attempt === 0 && known ? known : ((await deps.store.getContact(contactId)) as Contact);
    const change: ProfileChange = {};
    const externalIds: ExternalIds = { ...contact.externalIds };
    const anonymous: string[] = [];
    for (const [i, ref] of refs.entries()) {
      const holder = holders[i];
      if (holder && holder.contactId !== contactId) continue; // another identified contact's: the conflict says so
      if (holds(contact, ref)) continue;
      const current = heldValue(contact, ref.kind);
      if (current !== undefined && current !== ref.value) {
        conflicts.push(
          await recordConflict(
            deps,
            input,
            'different-identifier',
            [contactId],
            `${contactId} has ${ref.kind} ${current}; the event says ${ref.value}`,
          ),
        );
        continue;
      }
      if (!(await deps.store.claimIdentifier(ref, contactId))) return 'retry';
      if (ref.kind === 'email') change.email = ref.value;
      else if (ref.kind === 'phone') change.phone = ref.value;
      else if (ref.kind === 'anonymousId') anonymous.push(ref.value);
      else externalIds[ref.kind] = ref.value;
    }
    if (Object.keys(externalIds).length !== Object.keys(contact.externalIds ?? {}).length) {
      change.externalIds = externalIds;
    }
    if (anonymous.length) change.addAnonymousIds = anonymous;
    if (Object.keys(change).length === 0) return { unchanged: contact };
    if (await deps.store.changeProfile(contactId, contact.version ?? 0, change, deps.clock.now().toISOString())) {
      return {};
    }
  }
  return 'retry';
}
