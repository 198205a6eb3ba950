import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { TimelineEvent } from '#domain/contact.ts';
import { journeyDeps } from '#runtime/app.ts';
import { lambda } from '#runtime/http.ts';
import { metrics } from '#runtime/observability.ts';
import { eachStreamItem } from '#runtime/stream.ts';
import { loadHistory } from '#services/journey-context.ts';
import { routeEvent } from '#services/journey-routing.ts';
import { feedsScores, refreshScores } from '#services/scores.ts';
import { changeOfEvent, refreshContactSegments } from '#services/segments.ts';

/**
 * Stream consumer for timeline events: recomputes the contact's stored scores when the event
 * feeds them, and re-evaluates the contact against the segments whose rules count the event; a
 * membership event (`segment.entered` / `segment.exited`) is routed to
 * journeys instead (segment triggers, goals, exit rules). Both are idempotent, so a replayed
 * record changes nothing.
 */
export const handler = lambda<DynamoDBStreamEvent, DynamoDBBatchResponse>((event) =>
  eachStreamItem<TimelineEvent>(event, 'event', 'updating segments failed', async (timelineEvent) => {
    if (timelineEvent.name.startsWith('segment.')) {
      await routeEvent(journeyDeps, timelineEvent, { createdContact: false });
      return;
    }
    const change = changeOfEvent(timelineEvent);
    // One read of the contact and its history serves both the scores and the segments.
    const history = feedsScores(timelineEvent)
      ? await loadHistory(journeyDeps.store, timelineEvent.contactId)
      : undefined;
    if (history) await refreshScores(journeyDeps, timelineEvent.contactId, history);
    if (!change) return;
    const result = await refreshContactSegments(journeyDeps, timelineEvent.contactId, change, history);
    if (result.entered.length > 0) metrics.addMetric('SegmentEntries', 'Count', result.entered.length);
    if (result.exited.length > 0) metrics.addMetric('SegmentExits', 'Count', result.exited.length);
  }),
);
