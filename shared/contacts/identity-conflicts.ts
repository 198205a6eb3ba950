import type { RegistryStore } from '#platform/store.ts';
import { ContactError } from './errors.ts';
import type { IdentityConflict } from './model.ts';

export interface ConflictDeps {
  store: RegistryStore;
}

/**
 * The shape `recordConflict` gives every conflict id (`deterministicId('x', ...)`). Anything else
 * cannot name a conflict, so it is not found before the store is asked (DynamoDB refuses an empty
 * or over-long key with a validation error, which would otherwise surface as an internal error).
 */
const CONFLICT_ID = /^x-[A-Za-z0-9_-]{32}$/;

/** Every recorded conflict, newest first. */
export async function listConflicts(deps: ConflictDeps): Promise<IdentityConflict[]> {
  return (await deps.store.listConflicts()).sort((a, b) => b.at.localeCompare(a.at));
}

/** Marks a conflict as reviewed and left as it is; `unknown_conflict` for an id that names none. */
export async function dismissConflict(deps: ConflictDeps, conflictId: unknown) {
  const id = typeof conflictId === 'string' ? conflictId : '';
  const unknown = () => new ContactError('unknown_conflict', `no conflict "${id.slice(0, 100)}"`);
  if (!CONFLICT_ID.test(id)) throw unknown();
  if (!(await deps.store.setConflictStatus(id, 'dismissed'))) throw unknown();
  return { conflictId: id, status: 'dismissed' as const };
}
