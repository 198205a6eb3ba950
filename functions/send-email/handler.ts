import { z } from 'zod';
import { frequencyCapSchema, quietHoursSchema } from '#domain/send-policy.ts';
import { clock, mail, store, templates } from '#runtime/app.ts';
import { config } from '#runtime/config.ts';
import { lambda } from '#runtime/http.ts';
import { logger, metrics } from '#runtime/observability.ts';
import { linkSecret } from '#runtime/secrets.ts';
import { sendJourneyEmail } from '#services/send-email.ts';
import { renderCompiled } from '#templating/render.ts';

const inputSchema = z.object({
  contactId: z.string().min(1),
  enrollmentId: z.string().min(1),
  journeyId: z.string().min(1),
  nodeId: z.string().min(1),
  template: z.string().min(1),
  quietHours: quietHoursSchema.optional(),
  frequencyCap: frequencyCapSchema.optional(),
});

/** `Shop <news@shop.example>` → `Shop`; a bare address names itself. */
const displayName = (from: string) => from.match(/^\s*"?([^"<]+?)"?\s*</)?.[1] ?? from;

/** Task of a journey state machine: sends one email (errors propagate to Retry/Catch). */
export const handler = lambda(async (event: unknown) => {
  const input = inputSchema.parse(event);
  logger.appendKeys({ contactId: input.contactId, enrollmentId: input.enrollmentId, nodeId: input.nodeId });
  const settings = {
    from: config.TEND_FROM_EMAIL,
    replyTo: config.TEND_REPLY_TO,
    senderName: displayName(config.TEND_FROM_EMAIL),
    publicUrl: config.TEND_PUBLIC_URL,
    postalAddress: config.TEND_POSTAL_ADDRESS,
    configurationSet: config.TEND_SES_CONFIGURATION_SET,
    defaultTimeZone: config.TEND_DEFAULT_TIME_ZONE,
    linkSecret: await linkSecret(),
  };
  const outcome = await sendJourneyEmail({ store, templates, render: renderCompiled, mail, clock, settings }, input);
  if (outcome.status === 'sent') metrics.addMetric('EmailsSent', 'Count', 1);
  if (outcome.status === 'skipped') metrics.addMetric('EmailsSkipped', 'Count', 1);
  if (outcome.status === 'deferred') metrics.addMetric('EmailsDeferred', 'Count', 1);
  logger.info('journey email', { ...outcome });
  return outcome;
});
