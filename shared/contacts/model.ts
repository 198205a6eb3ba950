import type { IdentifierKind, Identifiers, PropertyValue } from '#core/canonical-event.ts';
import type { ExternalIds, Provenance } from '#core/contact.ts';

/** What the contacts capability keeps: profiles, identity keys, timelines, conflicts and imports. */

/** An identifier as stored in the identity index: one contact per (kind, value). */
export interface IdentityRef {
  kind: IdentifierKind;
  value: string;
}

/** A change to a contact's profile and identity, applied only if `version` is unchanged. */
export interface ProfileChange {
  email?: string;
  phone?: string;
  externalIds?: ExternalIds;
  addAnonymousIds?: string[];
  firstName?: string | null;
  lastName?: string | null;
  setProperties?: Record<string, PropertyValue>;
  removeProperties?: string[];
  provenance?: Record<string, Provenance>;
  mergedInto?: string;
  /** The whole tag list after the change. */
  tags?: string[];
}

/** Two identified contacts an event tied together; recorded for a person to review, never merged. */
export interface IdentityConflict {
  /** Deterministic from the cause, so a replay records nothing new. */
  conflictId: string;
  kind: 'two-contacts' | 'different-identifier';
  /** The contact the event was applied to, then the other(s). */
  contactIds: string[];
  identifiers: Identifiers;
  /** The inbox record, API message or import row that raised it. */
  cause: string;
  detail: string;
  at: string;
  status: 'open' | 'dismissed';
}

export interface ImportRecord {
  importId: string;
  mode: 'merge' | 'replace';
  dryRun: boolean;
  fileName?: string;
  status: 'running' | 'completed';
  createdAt: string;
  createdBy: string;
  completedAt?: string;
  counts: { rows: number; created: number; updated: number; unchanged: number; failed: number; conflicts: number };
}

export interface ImportRowError {
  row: number;
  message: string;
  values?: Record<string, string>;
}
