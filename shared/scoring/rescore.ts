import type { ContactStore } from '#contacts/store.ts';
import type { Clock } from '#core/clock.ts';
import type { Contact, TimelineEvent } from '#core/contact.ts';
import { STORED_SCORE_NAMES } from '#core/contact.ts';
import { type ContactHistory, FACT_EVENTS } from '#journeys/context.ts';
import type { DueItem } from '#journeys/model.ts';
import type { DueStore } from '#journeys/store.ts';
import { nextScoreChange, scoreContact, storedScores } from './scores.ts';

/**
 * Keeps each contact's stored scores (RFM segment, churn risk, lead score, loyalty tier) current,
 * so segments and journey conditions can test them: recomputed when an event that feeds them
 * lands or the profile changes, and at the next moment time alone moves one (a due item at that
 * day, e.g. when the days since the last order cross twice the customer's cadence) — no crawl.
 * The contact page computes the same scores live, with their explanations.
 */

export interface ScoreDeps {
  store: Pick<ContactStore, 'getContact' | 'listEvents' | 'setScores'> & Pick<DueStore, 'putDue'>;
  clock: Clock;
}

/** Events that cannot change a score: journeys' own bookkeeping and sends. */
const NOT_SCORED = new Set(['email.sent', 'email.skipped', 'email.deferred', 'email.delivered']);

/**
 * Whether the contact's profile changed since its scores were computed (loyalty reads
 * properties). Other writes to the contact (last-event times, the scores themselves) leave the
 * version alone, so refresh-contact recomputes them only after a real profile change.
 */
export const scoresStale = (contact: Pick<Contact, 'version' | 'scoresVersion'>): boolean =>
  contact.scoresVersion !== (contact.version ?? 0);

/** Whether an event can move a score (so its stream record refreshes them). */
export const feedsScores = (event: Pick<TimelineEvent, 'name'>): boolean =>
  !NOT_SCORED.has(event.name) && !event.name.startsWith('segment.') && !event.name.startsWith('journey.');

/** Recomputes and stores the contact's scores if they changed; arms the next time-driven change. */
export async function refreshScores(
  deps: ScoreDeps,
  contactId: string,
  history?: ContactHistory,
): Promise<'changed' | 'unchanged' | 'gone'> {
  const contact = history?.contact ?? (await deps.store.getContact(contactId));
  if (!contact || contact.mergedInto) return 'gone';
  const events = history?.events ?? (await deps.store.listEvents(contactId, FACT_EVENTS));
  return (await applyScores(deps, contact, events)).outcome;
}

/**
 * Scores a loaded contact on its loaded events and stores them if they (or the profile version
 * they were computed on) changed; arms the next time-driven change. Returns the contact as it now
 * stands, so the caller can go on with the new scores without reading it again.
 */
export async function applyScores(
  deps: ScoreDeps,
  contact: Contact,
  events: readonly TimelineEvent[],
  /** Where to leave the next time-driven change for the caller to queue (else it is queued here). */
  dues?: DueItem[],
  /** Latest event times to keep on the contact with the scores, when they are written. */
  lastEvents?: Readonly<Record<string, string>>,
): Promise<{ outcome: 'changed' | 'unchanged' | 'gone'; contact: Contact; lastEventsKept: boolean }> {
  if (contact.mergedInto) return { outcome: 'gone', contact, lastEventsKept: false };
  const { contactId } = contact;
  const now = deps.clock.now();
  const scores = storedScores(scoreContact(contact, events, now));
  const before = contact.scores;
  const version = contact.version ?? 0;
  const changed = !before || STORED_SCORE_NAMES.some((k) => before[k] !== scores[k]);
  const at = now.toISOString();
  const written = changed || contact.scoresVersion !== version;
  if (written) await deps.store.setScores(contactId, scores, at, version, lastEvents);
  const next = nextScoreChange(contact, events, now);
  if (next) {
    const item: DueItem = {
      dueAt: next.toISOString(),
      kind: 'scores',
      journeyId: '',
      contactId,
      trigger: 0,
      basis: '',
    };
    if (dues) dues.push(item);
    else await deps.store.putDue(item);
  }
  return {
    outcome: changed ? 'changed' : 'unchanged',
    contact: { ...contact, scores, scoresAt: at, scoresVersion: version },
    lastEventsKept: written,
  };
}
