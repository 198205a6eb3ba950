import { personHash } from '#people/person-hash.ts';
import type { PrivacyStore } from './store.ts';

/**
 * The erased-address list, by keyed hash of the lower-cased email (the key derived from the link
 * secret for this purpose only, in `personHash`): an erased person is not imported again unless
 * they signed up again themselves (a form, a checkout, an identify call), which makes a contact
 * hold their address once more: the import checks for that contact (`imports.ts`), so the event
 * path never reads the list.
 */
export interface ErasedAddresses {
  /** The keyed hash an address is listed under. */
  hashOf(email: string): Promise<string>;
  /** Whether the address was erased on request (a contact holding it again means they signed up since). */
  isErased(email: string): Promise<boolean>;
}

export function createErasedAddresses(
  store: Pick<PrivacyStore, 'getErased'>,
  secret: () => Promise<string>,
): ErasedAddresses {
  const hashOf = async (email: string) => personHash(await secret(), email.trim().toLowerCase());
  return {
    hashOf,
    async isErased(email) {
      return (await store.getErased(await hashOf(email))) !== undefined;
    },
  };
}
