import * as z from 'zod';

/**
 * A journey's (or the deployment's) limits on when its emails go out: quiet hours in the
 * contact's time zone, and a frequency cap on journey emails shared across journeys.
 * `shared/messaging/send-policy.ts` applies them.
 */
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use 24-hour HH:MM, e.g. "21:00"');

export const quietHoursSchema = z
  .object({
    start: clock,
    end: clock,
    /** What to do with a send that falls inside: wait for the window to open, or drop it. */
    fallback: z.enum(['defer', 'skip']).default('defer'),
  })
  .strict()
  .refine((q) => q.start !== q.end, 'quiet hours must not start and end at the same time');

export const frequencyCapSchema = z
  .object({
    max: z.number().int().min(1).max(100),
    periodHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 31),
  })
  .strict();

export type QuietHours = z.infer<typeof quietHoursSchema>;
export type FrequencyCap = z.infer<typeof frequencyCapSchema>;
