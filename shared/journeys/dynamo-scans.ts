import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Contact } from '#core/contact.ts';
import { strip, tableOps } from '#platform/dynamo-table.ts';
import { journeyPk } from './dynamo-journey-table.ts';
import type { ScanJob } from './model.ts';
import type { DueStore } from './store.ts';

/** Schedule triggers' next runs, contact scans (schedule runs, backfills) and their pages, on DynamoDB. */
export function createDynamoScans(
  db: DynamoDBDocumentClient,
  tableName: string,
): Pick<
  DueStore,
  'getScheduleState' | 'setScheduleState' | 'getScanJob' | 'putScanJob' | 'listOpenScanJobs' | 'scanContacts'
> {
  const { get, put, queryPrefix } = tableOps(db, tableName);
  return {
    async getScheduleState(journeyId) {
      return (await get<{ nextRuns: Record<string, string> }>(journeyPk(journeyId), 'SCHEDULE'))?.nextRuns ?? {};
    },
    async setScheduleState(journeyId, nextRuns) {
      await put({ pk: journeyPk(journeyId), sk: 'SCHEDULE', type: 'journey-schedule', nextRuns });
    },
    getScanJob: (jobId) => get<ScanJob>('JOBS', jobId),
    async putScanJob(job) {
      await put({ pk: 'JOBS', sk: job.jobId, type: 'scan-job', ...job });
    },
    async listOpenScanJobs() {
      return (await queryPrefix<ScanJob>('JOBS', '')).filter((j) => !j.done);
    },
    async scanContacts(cursor, limit) {
      const out = await db.send(
        new ScanCommand({
          TableName: tableName,
          FilterExpression: '#t = :contact AND attribute_not_exists(mergedInto)',
          ExpressionAttributeNames: { '#t': 'type' },
          ExpressionAttributeValues: { ':contact': 'contact' },
          ExclusiveStartKey: cursor
            ? (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>)
            : undefined,
          Limit: limit,
        }),
      );
      return {
        contacts: (out.Items ?? []).map((item) => strip<Contact>(item) as Contact),
        cursor: out.LastEvaluatedKey
          ? Buffer.from(JSON.stringify(out.LastEvaluatedKey)).toString('base64url')
          : undefined,
      };
    },
  };
}
