import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { Contact } from '#domain/contact.ts';
import { journeyDeps } from '#runtime/app.ts';
import { lambda } from '#runtime/http.ts';
import { eachStreamItem } from '#runtime/stream.ts';
import { armContact } from '#services/journey-scheduler.ts';
import { refreshScores, scoresStale } from '#services/scores.ts';
import { refreshContactSegments } from '#services/segments.ts';

/**
 * Stream consumer for contact writes, new or changed, however the contact changed (webhook,
 * import, API, a journey step): arms date triggers (birthdays, renewals), recomputes the stored
 * scores after a profile change (loyalty reads properties) and re-evaluates the segments whose
 * rules read properties, tags or scores.
 *
 * Most contact writes only record the time of an event (`lastEventAt`); they leave the profile
 * as it was. A warm function remembers the profile state it last handled per contact and skips
 * those: new segments and rule changes reach existing contacts through their own scans, and new
 * date-trigger journeys through their publish-time backfill.
 */
const handled = new Map<string, string>();
const HANDLED_MAX = 10_000;

const profileMark = (c: Contact) => `${c.version ?? 0}|${c.scoresAt ?? ''}|${c.mergedInto ?? ''}`;

export const handler = lambda<DynamoDBStreamEvent, DynamoDBBatchResponse>((event) =>
  eachStreamItem<Contact>(event, 'contact', 'watching a contact change failed', async (contact) => {
    const mark = profileMark(contact);
    if (handled.get(contact.contactId) === mark) return;
    await armContact(journeyDeps, contact);
    if (scoresStale(contact)) await refreshScores(journeyDeps, contact.contactId);
    await refreshContactSegments(journeyDeps, contact.contactId, { kind: 'profile' });
    if (handled.size >= HANDLED_MAX) handled.delete(handled.keys().next().value as string);
    handled.set(contact.contactId, mark);
  }),
);
