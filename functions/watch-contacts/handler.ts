import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { Contact } from '#domain/contact.ts';
import { journeyDeps } from '#runtime/app.ts';
import { lambda } from '#runtime/http.ts';
import { eachStreamItem } from '#runtime/stream.ts';
import { armContact } from '#services/journey-scheduler.ts';
import { refreshScores, scoresStale } from '#services/scores.ts';
import { refreshContactSegments } from '#services/segments.ts';

/**
 * Stream consumer for contact writes, however the contact changed (webhook, import, API, a
 * journey step): arms date triggers (birthdays, renewals), recomputes the stored scores (loyalty
 * reads properties) and re-evaluates the segments whose rules read properties, tags or scores.
 * Scores are recomputed only after a profile change (its version moved), not for the contact's
 * other writes (last-event times, the scores themselves).
 */
export const handler = lambda<DynamoDBStreamEvent, DynamoDBBatchResponse>((event) =>
  eachStreamItem<Contact>(event, 'contact', 'watching a contact change failed', async (contact) => {
    await armContact(journeyDeps, contact);
    if (scoresStale(contact)) await refreshScores(journeyDeps, contact.contactId);
    await refreshContactSegments(journeyDeps, contact.contactId, { kind: 'profile' });
  }),
);
