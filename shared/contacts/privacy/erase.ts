import type { Clock } from '#core/clock.ts';
import type { Contact } from '#core/contact.ts';
import type { JourneyRuntime, JourneyStore } from '#journeys/store.ts';
import { personHash } from '#people/person-hash.ts';
import { ContactError } from '../errors.ts';
import type { ContactStore } from '../store.ts';
import { type PersonRecords, type PrivacyRequest, type PrivacyRequestView, requestView } from './model.ts';
import type { PersonStore, PrivacyStore } from './store.ts';

/**
 * The erase (GDPR article 17). `requestErase` records a request (the API answers 202 at once);
 * the stream hands the new request item to `runErase` (function `erase-contact`), which stops the
 * person's running executions, then removes every item about them in every key space, the
 * profile last: until it is gone a retry after a crash finds everything again from it. Each
 * item is removed and counted at most once (`PersonStore.removeItems`), so a retried or repeated
 * run removes nothing twice. When done, the request keeps only its id, times, counts and the
 * keyed hash of the address, which goes on the erased-address list.
 */

/** A request running this long without finishing was given up by its consumer: asking again restarts it. */
export const STALE_REQUEST_MS = 15 * 60_000;
/** At most this many contacts merged into one another are followed. */
const MAX_MERGED = 50;

export interface RequestDeps {
  privacy: PrivacyStore;
  store: Pick<ContactStore, 'getContact'>;
  /** The link secret: request ids and the address hash are keyed hashes under it. */
  secret: () => Promise<string>;
  clock: Clock;
}

export interface EraseDeps {
  privacy: PrivacyStore;
  people: PersonStore;
  store: Pick<JourneyStore, 'getVersion'>;
  runtime: Pick<JourneyRuntime, 'stop' | 'executionArnFor'>;
  clock: Clock;
}

/** The contact a (possibly merged) contact id stands for now. */
export async function currentContact(
  store: Pick<ContactStore, 'getContact'>,
  contactId: string,
): Promise<Contact | undefined> {
  let id: string | undefined = contactId;
  for (let hops = 0; id && hops < 5; hops++) {
    const contact = await store.getContact(id);
    if (!contact?.mergedInto) return contact;
    id = contact.mergedInto;
  }
  return undefined;
}

/** The request id for a contact: a keyed hash, so asking twice finds one request and it names nobody. */
const requestIdFor = (secret: string, contactId: string) => `pr-${personHash(secret, `erase:${contactId}`)}`;

/**
 * Asks for a contact's erase. Asking again for the same contact answers the same request:
 * running (restarted if its consumer gave up on it) or done. `contact_not_found` when there is
 * no such contact and no erase of it was asked for.
 */
export async function requestErase(deps: RequestDeps, contactId: string): Promise<PrivacyRequestView> {
  const secret = await deps.secret();
  const contact = await currentContact(deps.store, contactId);
  if (!contact) {
    const earlier = await deps.privacy.getRequest(requestIdFor(secret, contactId));
    if (earlier) return requestView(earlier);
    throw new ContactError('contact_not_found', `no contact "${contactId}"`);
  }
  const now = deps.clock.now();
  const requestId = requestIdFor(secret, contact.contactId);
  const request: PrivacyRequest = {
    requestId,
    kind: 'erase',
    status: 'running',
    requestedAt: now.toISOString(),
    startedAt: now.toISOString(),
    removed: {},
    ...(contact.email ? { hash: personHash(secret, contact.email.trim().toLowerCase()) } : {}),
    contactId: contact.contactId,
  };
  if ((await deps.privacy.createRequest(request)) === 'created') return requestView(request);
  const existing = (await deps.privacy.getRequest(requestId)) as PrivacyRequest;
  if (existing.status === 'running' && now.getTime() - Date.parse(existing.startedAt) > STALE_REQUEST_MS) {
    const restarted = { ...existing, contactId: contact.contactId, startedAt: now.toISOString() };
    await deps.privacy.restartRequest(restarted);
    return requestView(restarted);
  }
  return requestView(existing);
}

/** A request as the API shows it; `unknown_privacy_request` when there is none. */
export async function privacyRequest(deps: Pick<RequestDeps, 'privacy'>, requestId: string) {
  const request = await deps.privacy.getRequest(requestId);
  if (!request) throw new ContactError('unknown_privacy_request', `no privacy request "${requestId}"`);
  return requestView(request);
}

/** The contact's records and those of every contact merged into it (their events name them). */
export async function gatherPerson(people: Pick<PersonStore, 'readPerson'>, contactId: string) {
  const found: PersonRecords[] = [];
  const queue = [contactId];
  const seen = new Set(queue);
  while (queue.length > 0 && found.length < MAX_MERGED) {
    const records = await people.readPerson(queue.shift() as string);
    found.push(records);
    for (const e of records.events) {
      const from = e.name === 'contact.merged' && typeof e.data.from === 'string' ? e.data.from : e.mergedFrom;
      if (from && !seen.has(from)) {
        seen.add(from);
        queue.push(from);
      }
    }
  }
  return found;
}

/** Stops every running execution of the person's active enrollments; answers how many it asked to stop. */
async function stopExecutions(deps: EraseDeps, people: readonly PersonRecords[]): Promise<number> {
  const active = people.flatMap((p) => p.enrollments).filter((e) => e.status === 'active');
  for (const enrollment of active) {
    // An enrollment whose start was not recorded yet still has its execution's name.
    const arn =
      enrollment.executionArn ??
      (await deps.store
        .getVersion(enrollment.journeyId, enrollment.journeyVersion)
        .then((v) => v && deps.runtime.executionArnFor(v.versionArn, enrollment.enrollmentId)));
    if (arn) await deps.runtime.stop(arn, 'the contact was erased on request');
  }
  return active.length;
}

export type EraseOutcome =
  | { outcome: 'done'; removed: number; stopped: number }
  | { outcome: 'done-before' }
  | { outcome: 'missing' };

/** Runs an erase request to the end; safe to run again, after a crash or alongside itself. */
export async function runErase(deps: EraseDeps, requestId: string): Promise<EraseOutcome> {
  const request = await deps.privacy.getRequest(requestId);
  if (!request) return { outcome: 'missing' };
  if (request.status === 'done' || !request.contactId) return { outcome: 'done-before' };
  const people = await gatherPerson(deps.people, request.contactId);
  const stopped = await stopExecutions(deps, people);
  const remove = (items: Parameters<PersonStore['removeItems']>[1]) => deps.people.removeItems(requestId, items);

  let removed = await remove(await deps.people.findLinked(people));
  // Merged contacts first: they are found through the events of the one asked about, so those
  // events go only once a retry no longer needs them. The profiles last, the one asked about
  // last of all: until then a retry finds everything from it.
  for (const p of [...people].reverse()) removed += await remove(p.items);
  for (const p of [...people].reverse()) if (p.profile) removed += await remove([p.profile]);
  // A last look at the partitions: what landed while this ran (a send finishing as its execution stopped).
  for (const p of people) {
    const late = await deps.people.readPerson(p.contactId);
    if (late.items.length === 0 && !late.profile) continue;
    removed += await remove(await deps.people.findLinked([late]));
    removed += await remove([...late.items, ...(late.profile ? [late.profile] : [])]);
  }

  const now = deps.clock.now().toISOString();
  if (request.hash) await deps.privacy.putErased({ hash: request.hash, erasedAt: now, requestId });
  await deps.privacy.finishRequest(requestId, now);
  return { outcome: 'done', removed, stopped };
}
