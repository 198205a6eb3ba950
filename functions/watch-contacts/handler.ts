import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { Contact } from '#domain/contact.ts';
import { lambda } from '#runtime/http.ts';
import { eachStreamItem } from '#runtime/stream.ts';
import { journeyDeps } from '#runtime/wiring/journey-deps.ts';
import { refreshContact } from '#services/contact-refresh.ts';
import { armContact } from '#services/journey-scheduler.ts';
import { scoresStale } from '#services/scores.ts';

/**
 * Stream consumer for changes to contacts, however the contact changed (webhook, import, API, a
 * journey step): arms date triggers (birthdays, renewals) and, after a profile change, recomputes
 * the stored scores (loyalty reads properties) and re-evaluates the segments whose rules read
 * properties, tags or scores.
 *
 * A new contact's first write goes with its first events to update-segments, which arms its date
 * triggers and brings its scores and every segment up to date. Most later writes only record
 * the time of an event or the scores themselves; they leave the profile version alone and the
 * scores current, and are skipped. A warm function also remembers the profile version it last
 * handled per contact, so a replay does no work: new segments and rule changes reach existing
 * contacts through their own scans, and new date-trigger journeys through their publish-time
 * backfill.
 */
const handled = new Map<string, string>();
const HANDLED_MAX = 10_000;

const profileMark = (c: Contact) => `${c.version ?? 0}|${c.mergedInto ?? ''}`;
const isNew = (c: Contact) => c.version === 1 && c.scoresAt === undefined && !c.mergedInto;

export const handler = lambda<DynamoDBStreamEvent, DynamoDBBatchResponse>((event) =>
  eachStreamItem<Contact>(event, 'contact', 'watching a contact change failed', async (contact) => {
    const mark = profileMark(contact);
    if (handled.get(contact.contactId) === mark) return;
    await armContact(journeyDeps, contact);
    if (contact.mergedInto) {
      // Merged into another: it leaves every segment (the survivor carries its events).
      await refreshContact(journeyDeps, contact.contactId, [{ kind: 'all' }], { scores: false });
    } else if (!isNew(contact) && scoresStale(contact)) {
      await refreshContact(journeyDeps, contact.contactId, [{ kind: 'profile' }], { scores: true });
    }
    if (handled.size >= HANDLED_MAX) handled.delete(handled.keys().next().value as string);
    handled.set(contact.contactId, mark);
  }),
);
