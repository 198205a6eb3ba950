import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { Contact } from '#domain/contact.ts';
import { journeyDeps } from '#runtime/app.ts';
import { lambda } from '#runtime/http.ts';
import { logger } from '#runtime/observability.ts';
import { armContact } from '#services/journey-scheduler.ts';

/**
 * Stream consumer for contact writes: arms date triggers (birthdays, renewals) whenever a
 * contact changes, however it changed (webhook, import, API, a journey step).
 */
export const handler = lambda<DynamoDBStreamEvent, DynamoDBBatchResponse>(async (event) => {
  const batchItemFailures: DynamoDBBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    const image = record.dynamodb?.NewImage;
    if (!image) continue;
    const item = unmarshall(image as unknown as Record<string, AttributeValue>);
    if (item.type !== 'contact' || typeof item.contactId !== 'string') continue;
    try {
      const { pk: _pk, sk: _sk, type: _type, ...contact } = item;
      await armContact(journeyDeps, contact as Contact);
    } catch (error) {
      logger.error('arming date triggers failed', { contactId: item.contactId, error });
      batchItemFailures.push({ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' });
    }
  }
  return { batchItemFailures };
});
