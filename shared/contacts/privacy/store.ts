import type { ErasedAddress, ItemRef, PersonRecords, PrivacyRequest } from './model.ts';

/** The ports of privacy requests (records in ./model.ts). */

/** Erase requests and the erased-address list. */
export interface PrivacyStore {
  /** Stores a new running request; `exists` when one with that id is stored. */
  createRequest(request: PrivacyRequest): Promise<'created' | 'exists'>;
  getRequest(requestId: string): Promise<PrivacyRequest | undefined>;
  /**
   * Starts a running request again: it is written as a new item, so the erase consumer (which
   * sees new items only) runs it once more. For a request whose consumer gave up.
   */
  restartRequest(request: PrivacyRequest): Promise<void>;
  /** Marks a running request done and forgets its contact id; false when it was not running. */
  finishRequest(requestId: string, doneAt: string): Promise<boolean>;
  getErased(hash: string): Promise<ErasedAddress | undefined>;
  putErased(entry: ErasedAddress): Promise<void>;
}

/** Whom a person's items are found through: their contacts (merged ones too) as read. */
export type PersonRefs = readonly PersonRecords[];

/**
 * Every item about a person, wherever it is kept. `readPerson` reads one contact's partition;
 * `findLinked` finds what lies outside the partitions (identity keys, order references, inbox
 * records, messages, webhook deliveries, due items, segment member lists, …); `removeItems`
 * deletes items, each at most once, adding what it removed to the request's counts, and
 * adjusting what counts them (a segment's members).
 */
export interface PersonStore {
  readPerson(contactId: string): Promise<PersonRecords>;
  findLinked(people: PersonRefs): Promise<ItemRef[]>;
  /** Returns how many of `items` it removed (those still there). */
  removeItems(requestId: string, items: readonly ItemRef[]): Promise<number>;
}
