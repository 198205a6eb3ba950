import { runJourneyScheduler, type SchedulerReport } from '#journeys/scheduler.ts';
import { config } from '#platform/config.ts';
import { lambda } from '#platform/http.ts';
import { logger, metrics } from '#platform/observability.ts';
import { journeyDeps } from '#platform/wiring/journey-deps.ts';
import { journeyRuntime } from '#platform/wiring/journeys.ts';
import { store } from '#platform/wiring/store.ts';

/**
 * The repair sweep's grace period, in journey time like every wait (scaled locally), but never
 * under half a minute: a start still on its way must not read as stranded.
 */
const repair = {
  executions: journeyRuntime,
  graceMs: Math.max(30_000, (config.TEND_REPAIR_GRACE_SECONDS * 1000) / config.TEND_TIME_SCALE),
};

/**
 * Scheduled: fires due date and inactivity triggers, runs schedule triggers and backfills, repairs
 * stranded enrollments. Answers what the run did (EventBridge ignores it; bench:cost tells an idle
 * run by it).
 */
export const handler = lambda<unknown, SchedulerReport>(async () => {
  // The uncached store: scans read their segment's re-evaluation progress, which moves without a catalog bump.
  const report = await runJourneyScheduler({ ...journeyDeps, store, repair });
  metrics.addMetric('JourneyTriggersEnrolled', 'Count', report.enrolled);
  metrics.addMetric('JourneyEnrollmentsRepaired', 'Count', report.repaired);
  logger.info('journey scheduler run', { ...report });
  return report;
});
