import { journeyDeps } from '#runtime/app.ts';
import { lambda } from '#runtime/http.ts';
import { logger, metrics } from '#runtime/observability.ts';
import { runJourneyScheduler } from '#services/journey-scheduler.ts';

/** Scheduled: fires due date and inactivity triggers, runs schedule triggers and backfills. */
export const handler = lambda<unknown, void>(async () => {
  const report = await runJourneyScheduler(journeyDeps);
  metrics.addMetric('JourneyTriggersEnrolled', 'Count', report.enrolled);
  logger.info('journey scheduler run', { ...report });
});
