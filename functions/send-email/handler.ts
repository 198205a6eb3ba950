import * as z from 'zod';
import { countVisit, guard } from '#journeys/guard.ts';
import { enrollmentContextSchema } from '#journeys/input.ts';
import {
  CONFIRMATION_WAIT_MS,
  type ConfirmationWait,
  sendContextKeys,
  sendCountingVisit,
  sendJourneyEmail,
} from '#messaging/send-email.ts';
import { renderCompiled } from '#messaging/templating/render.ts';
import { config } from '#platform/config.ts';
import { lambda } from '#platform/http.ts';
import { logger, metrics } from '#platform/observability.ts';
import { sendSettings } from '#platform/send-settings.ts';
import { aggregates } from '#platform/wiring/aggregates.ts';
import { clock } from '#platform/wiring/clock.ts';
import { mail } from '#platform/wiring/mail.ts';
import { store } from '#platform/wiring/store.ts';
import { templates } from '#platform/wiring/templates.ts';
import { versions } from '#platform/wiring/versions.ts';
import { frequencyCapSchema, quietHoursSchema } from '#workflows/send-limits.ts';

const inputSchema = enrollmentContextSchema.extend({
  template: z.string().min(1),
  topic: z.string().min(1).optional(),
  quietHours: quietHoursSchema.optional(),
  frequencyCap: frequencyCapSchema.optional(),
});

/**
 * A send in doubt waits here up to 20 s (the function's timeout is 30 s) for SES's Send event,
 * looking every second; its window is journey time, scaled locally as the task's retries are.
 */
const confirmation = (journeyId: string): ConfirmationWait => ({
  windowMs: CONFIRMATION_WAIT_MS / (config.TEND_JOURNEY_TIME_SCALES[journeyId] ?? config.TEND_TIME_SCALE),
  holdMs: 20_000,
  pollMs: 1_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
});

/** Task of a journey state machine: sends one email (errors propagate to Retry/Catch). */
export const handler = lambda(async (event: unknown) => {
  const input = inputSchema.parse(event);
  logger.appendKeys({ contactId: input.contactId, enrollmentId: input.enrollmentId, nodeId: input.nodeId });
  const request = { ...input, triggerEventId: input.trigger.eventId };
  // One read for the guard and the send: enrollment, contact, earlier attempt, template, trigger.
  const context = await store.getSendContext(sendContextKeys(request));
  // Throws EnrollmentExited (caught by the ASL) when the enrollment ended or an exit rule holds.
  // The node's visit is counted by aggregate-events from the event the send writes (sendVisits).
  await guard({ store, clock, versions }, input, context.enrollment ?? null, { countVisit: false });
  const settings = await sendSettings();
  const outcome = await sendCountingVisit(
    () =>
      sendJourneyEmail(
        {
          store,
          templates,
          render: renderCompiled,
          mail,
          clock,
          settings,
          confirmation: confirmation(input.journeyId),
        },
        request,
        context,
      ),
    () => countVisit({ store, versions, aggregates }, input),
  );
  if (outcome.status === 'sent') metrics.addMetric('EmailsSent', 'Count', 1);
  if (outcome.status === 'skipped') metrics.addMetric('EmailsSkipped', 'Count', 1);
  if (outcome.status === 'deferred') metrics.addMetric('EmailsDeferred', 'Count', 1);
  logger.info('journey email', { ...outcome });
  return outcome;
});
