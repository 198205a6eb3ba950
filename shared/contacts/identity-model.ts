import type { IdentifierKind, Identifiers, Profile } from '#core/canonical-event.ts';
import type { Clock } from '#core/clock.ts';
import type { Contact, TimelineEvent } from '#core/contact.ts';
import type { RegistryStore } from '#platform/store.ts';
import type { IdentityConflict, IdentityRef } from './model.ts';
import type { ContactStore } from './store.ts';

/**
 * The identifiers a contact is known by, in order of strength, and the input and outcome of
 * resolving them to a contact (identity.ts).
 */

export interface IdentityDeps {
  store: ContactStore & RegistryStore;
  clock: Clock;
}

/** Strongest first: a provider's customer id outranks an email someone typed into a form. */
export const IDENTIFIER_PRECEDENCE: readonly IdentifierKind[] = [
  'shopifyCustomerId',
  'stripeCustomerId',
  'wooCustomerId',
  'userId',
  'email',
  'phone',
  'anonymousId',
];

/** The kinds kept in a contact's `externalIds`. */
export const EXTERNAL_KINDS = ['shopifyCustomerId', 'stripeCustomerId', 'wooCustomerId', 'userId'] as const;

export interface ResolveInput {
  identifiers: Identifiers;
  /** What caused this (inbox id and event key, API message id, import row): makes replays no-ops. */
  cause: string;
  /** When the fact happened; a created contact's createdAt. */
  at: string;
  /** Profile to create a new contact with (saves a write); existing contacts ignore it. */
  profile?: Profile;
  /** Provenance label for `profile`. */
  source?: string;
  /** The event being applied: a created contact starts with it as its last event of that name. */
  lastEvent?: { name: string; at: string };
  /**
   * The timeline event being applied, but for its contact: a contact created for it is written
   * with it in one transaction (the resolution then says `fresh`, and the event is stored).
   */
  event?: Omit<TimelineEvent, 'contactId'>;
}

export interface Resolution {
  contactId: string;
  /** True when this cause created the contact (also on a replay of that cause). */
  created: boolean;
  /**
   * True only when this very call created the contact (not a replay): it has no enrollments or
   * waits yet, so routing need not look for them.
   */
  fresh?: boolean;
  /** True when the input's `event` was stored with the contact this call created. */
  eventStored?: boolean;
  /** The existing contact as it stands after resolution, when it was read (saves reading it again). */
  contact?: Contact;
  /** Anonymous contacts merged into this one. */
  merged: string[];
  conflicts: IdentityConflict[];
}

/** Tries at a write that races with other writers before giving up. */
export const MAX_ATTEMPTS = 6;

/** The identifiers present, strongest first, as index references. */
export const refsOf = (identifiers: Identifiers): IdentityRef[] =>
  IDENTIFIER_PRECEDENCE.flatMap((kind) => {
    const value = identifiers[kind];
    return value ? [{ kind, value }] : [];
  });

/** What the contact's profile says its value for a single-valued kind is. */
export function heldValue(contact: Contact, kind: IdentifierKind): string | undefined {
  if (kind === 'email') return contact.email;
  if (kind === 'phone') return contact.phone;
  if (kind === 'anonymousId') return undefined;
  return contact.externalIds?.[kind];
}

/** Whether the contact's profile already carries the identifier. */
export const holds = (contact: Contact, ref: IdentityRef) =>
  ref.kind === 'anonymousId'
    ? (contact.anonymousIds ?? []).includes(ref.value)
    : heldValue(contact, ref.kind) === ref.value;

/** Known by something other than a device id. */
export const isIdentified = (contact: Contact): boolean =>
  Boolean(contact.email || contact.phone || Object.values(contact.externalIds ?? {}).some(Boolean));
