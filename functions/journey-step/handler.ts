import { runJourneyStep } from '#journeys/step.ts';
import { stepRequestSchema } from '#journeys/step-request.schema.ts';
import { config } from '#platform/config.ts';
import { lambda } from '#platform/http.ts';
import { logger, metrics } from '#platform/observability.ts';
import { journeyDeps } from '#platform/wiring/journey-deps.ts';
import { mail } from '#platform/wiring/mail-on-demand.ts';
import { outbound } from '#platform/wiring/outbound.ts';

const deps = {
  ...journeyDeps,
  outbound,
  mail,
  settings: { ...journeyDeps.settings, ownerEmail: config.TEND_OWNER_EMAIL, from: config.TEND_FROM_EMAIL },
};

/**
 * Task of a journey state machine: one node that needs data or a side effect (branch, split,
 * wait-until, wait-for-event registration, contact update, webhook, owner notification, goal).
 * Errors propagate to the ASL's Retry/Catch; EnrollmentExited ends the execution cleanly.
 */
export const handler = lambda(async (event: unknown) => {
  const input = stepRequestSchema.parse(event);
  logger.appendKeys({ contactId: input.contactId, enrollmentId: input.enrollmentId, nodeId: input.nodeId });
  const result = await runJourneyStep(deps, input);
  metrics.addMetric(`JourneyStep_${input.action}`, 'Count', 1);
  logger.info('journey step', { action: input.action, ...result });
  return result;
});
