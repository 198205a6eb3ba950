import { randomUUID } from 'node:crypto';
import type { Enrollment } from '#core/contact.ts';
import type { TendStore } from '#platform/store.ts';
import type { EntryRules } from '../store.ts';

/** What every part of the journey storage contract shares: the store under test and test data. */

export interface ContractOptions {
  /** Contacts per scanContacts page: small to force paging, larger over a big shared table. */
  scanPageSize: number;
}

export type MakeStore = () => TendStore | Promise<TendStore>;

/** Races are won by timing: several run at once so that a wrong interleaving shows up. */
export const RACES = 8;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export const uid = (tag: string) => `${tag}-${randomUUID().slice(0, 8)}`;
export const iso = (ms: number) => new Date(ms).toISOString();

/** A random whole hour in the 2900s: far from real time and from other tests' hours. */
export const farHour = () =>
  Date.UTC(2900 + Math.floor(Math.random() * 90), Math.floor(Math.random() * 12), 1 + Math.floor(Math.random() * 27));

export const arnOf = (journeyId: string) => `arn:aws:states:us-east-1:000000000000:stateMachine:tend-${journeyId}`;

export const enrollmentOf = (
  contactId: string,
  journeyId: string,
  over: Partial<Enrollment> & Pick<Enrollment, 'enteredAt'>,
): Enrollment => {
  const enrollmentId = over.enrollmentId ?? uid('enr');
  return {
    enrollmentId,
    contactId,
    journeyId,
    journeyVersion: 1,
    triggerEventId: `evt-${enrollmentId}`,
    trigger: { type: 'event', eventId: `evt-${enrollmentId}`, name: 'form.submitted', at: over.enteredAt },
    status: 'active',
    ...over,
  };
};

export const always: EntryRules = { reentry: { mode: 'always' } };
