import * as z from 'zod';
import { WEEKDAYS } from './weekdays.ts';

/** A non-negative length of journey time; at least a minute. */
export const durationSchema = z
  .object({
    days: z.number().int().min(0).max(3660).optional(),
    hours: z.number().int().min(0).max(87_840).optional(),
    minutes: z.number().int().min(0).max(5_270_400).optional(),
  })
  .strict()
  .refine((d) => (d.days ?? 0) + (d.hours ?? 0) + (d.minutes ?? 0) > 0, 'a duration must last at least one minute');

/** An offset that may be negative ("3 days before"). */
export const offsetSchema = z
  .object({
    days: z.number().int().min(-3660).max(3660).optional(),
    hours: z.number().int().min(-87_840).max(87_840).optional(),
  })
  .strict();

export const timeOfDaySchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use 24-hour HH:MM, e.g. "09:30"');
export const weekdaySchema = z.enum(WEEKDAYS);

export type Duration = z.infer<typeof durationSchema>;
export type Offset = z.infer<typeof offsetSchema>;
