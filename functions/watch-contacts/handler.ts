import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { Contact } from '#domain/contact.ts';
import { journeyDeps } from '#runtime/app.ts';
import { lambda } from '#runtime/http.ts';
import { eachStreamItem } from '#runtime/stream.ts';
import { armContact } from '#services/journey-scheduler.ts';
import { refreshContactSegments } from '#services/segments.ts';

/**
 * Stream consumer for contact writes, however the contact changed (webhook, import, API, a
 * journey step): arms date triggers (birthdays, renewals) and re-evaluates the segments whose
 * rules read properties or tags.
 */
export const handler = lambda<DynamoDBStreamEvent, DynamoDBBatchResponse>((event) =>
  eachStreamItem<Contact>(event, 'contact', 'watching a contact change failed', async (contact) => {
    await armContact(journeyDeps, contact);
    await refreshContactSegments(journeyDeps, contact.contactId, { kind: 'profile' });
  }),
);
