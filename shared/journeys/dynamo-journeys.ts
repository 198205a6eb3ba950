import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TimelineRetention } from '#platform/dynamo-table.ts';
import { createDynamoDueQueue, type DynamoDueQueue } from './dynamo-due.ts';
import { createDynamoEnrollments } from './dynamo-enrollments.ts';
import { createDynamoJourneyVersions } from './dynamo-journey-versions.ts';
import { createDynamoLastEvents } from './dynamo-last-events.ts';
import { createDynamoScans } from './dynamo-scans.ts';
import { createDynamoTasks } from './dynamo-tasks.ts';
import { createDynamoWaiters } from './dynamo-waiters.ts';
import type { DueStore, EnrollmentStore, JourneyStore, TaskStore, WaiterStore } from './store.ts';

/**
 * Journey items in the single table (pk / sk):
 *   JOURNEYS             <journeyId>                       journey       (summary: status, live version)
 *   JOURNEY#<id>         DRAFT | V#<000001> | SCHEDULE     journey-draft, journey-version, journey-schedule
 *   CONTACT#<id>         ENROLLMENT#<enrollmentId>         enrollment    (`waiterKeys: 'enrollment'` when its
 *                                                                           waiters are kept with it)
 *   CONTACT#<id>         ENROLLMENT#<enrollmentId>#WAITER#<event>#<node>   waiter (TTL on expiresAt)
 *   CONTACT#<id>         JSTATE#<journeyId>                journey-state (active enrollment, entries)
 *   CONTACT#<id>         WAITER#<event>#<enrollment>#<node> waiter     (the earlier form, still read while
 *                                                                        an enrollment without `waiterKeys` is active)
 *   TASKS                <taskId>                          task
 *   DUE#<yyyy-mm-ddThh>  <dueAt>#<journey>#<contact>#<n>   due           (time-trigger queue, hour buckets)
 *   DUE-HOURS            <yyyy-mm-ddThh>                   due-hour      (every hour whose bucket holds items)
 *   JOBS                 <jobId>                           scan-job      (schedule runs, backfills)
 *   ENROLLMENT-CHECKS    <at>#<contactId>#<enrollmentId>   enrollment-check (the repair sweep's queue)
 */

/**
 * Every journey store on DynamoDB, as one object, with `putDueWith` so the contact store queues
 * due items in the request that writes their event.
 */
export function createDynamoJourneyStores(
  db: DynamoDBDocumentClient,
  tableName: string,
  retention: TimelineRetention = {},
): JourneyStore & EnrollmentStore & WaiterStore & TaskStore & DueStore & Pick<DynamoDueQueue, 'putDueWith'> {
  return {
    ...createDynamoJourneyVersions(db, tableName),
    ...createDynamoEnrollments(db, tableName, retention),
    ...createDynamoWaiters(db, tableName),
    ...createDynamoTasks(db, tableName),
    ...createDynamoDueQueue(db, tableName),
    ...createDynamoScans(db, tableName),
    ...createDynamoLastEvents(db, tableName),
  };
}
