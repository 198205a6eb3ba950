import * as z from 'zod';
import { endEnrollment } from '#journeys/end-enrollment.ts';
import { recordVisits } from '#journeys/visits.ts';
import { lambda } from '#platform/http.ts';
import { logger } from '#platform/observability.ts';
import { aggregates } from '#platform/wiring/aggregates.ts';
import { clock } from '#platform/wiring/clock.ts';
import { store } from '#platform/wiring/store.ts';
import { versions } from '#platform/wiring/versions.ts';

const inputSchema = z.object({
  contactId: z.string().min(1),
  enrollmentId: z.string().min(1),
  journeyId: z.string().min(1),
  journeyVersion: z.number().int().min(1).optional(),
  nodeId: z.string().min(1),
  outcome: z.enum(['completed', 'failed']),
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
});

/** Task of a journey state machine: records how an enrollment ended. */
export const handler = lambda(async (event: unknown) => {
  const input = inputSchema.parse(event);
  logger.appendKeys({ contactId: input.contactId, enrollmentId: input.enrollmentId });
  const result = await endEnrollment({ store, clock }, input);
  if (input.outcome === 'completed' && input.journeyVersion) {
    await recordVisits({ aggregates, versions }, { ...input, journeyVersion: input.journeyVersion });
  }
  logger.info('enrollment ended', { outcome: input.outcome, ...result });
  return result;
});
