import * as z from 'zod';
import { conditionSchema, filterSchema, segmentIdSchema } from './condition.schema.ts';
import { durationSchema, offsetSchema, timeOfDaySchema, weekdaySchema } from './time.schema.ts';

/** What enrolls a contact in a journey; any one of a journey's triggers does. */

export const eventTriggerSchema = z
  .object({
    type: z.literal('event'),
    event: z.string().min(1).max(100),
    /** Tests on the event's data; all must hold. */
    where: z.array(filterSchema).max(20).default([]),
    /** A data path whose value later wait-for-event nodes can match on (e.g. `cartId`). */
    correlationKey: z.string().min(1).max(200).optional(),
    /** Only a contact that this very event created enters. */
    newContactsOnly: z.boolean().default(false),
  })
  .strict();

export const dateTriggerSchema = z
  .object({
    type: z.literal('date'),
    /** A contact value holding a date (`YYYY-MM-DD` or an ISO timestamp), e.g. `properties.birthday`. */
    property: z.string().min(1).max(200),
    /** Before (negative) or after the date. */
    offset: offsetSchema.default({}),
    /** Every year on the date (birthdays, anniversaries), or once. */
    repeat: z.enum(['once', 'yearly']).default('once'),
    /** Time of day in the contact's time zone. */
    at: timeOfDaySchema.default('09:00'),
  })
  .strict();

export const inactivityTriggerSchema = z
  .object({
    type: z.literal('inactivity'),
    /** The event whose absence counts, e.g. `order.placed`; the clock restarts at each one. */
    event: z.string().min(1).max(100),
    after: durationSchema,
  })
  .strict();

export const scheduleTriggerSchema = z
  .object({
    type: z.literal('schedule'),
    every: z.enum(['day', 'week', 'month']),
    at: timeOfDaySchema.default('09:00'),
    /** For `week`. */
    weekday: weekdaySchema.optional(),
    /** For `month`; up to 28 so every month has it. */
    dayOfMonth: z.number().int().min(1).max(28).optional(),
    /** Who enters at each run; all must hold (an empty list means every contact with an email). */
    audience: z.array(conditionSchema).max(20).default([]),
  })
  .strict();

/** A contact entering (or leaving) a segment: its `segment.entered` / `segment.exited` event. */
export const segmentTriggerSchema = z
  .object({
    type: z.literal('segment'),
    segment: segmentIdSchema,
    on: z.enum(['enter', 'exit']).default('enter'),
  })
  .strict();

export const triggerSchema = z.discriminatedUnion('type', [
  eventTriggerSchema,
  dateTriggerSchema,
  inactivityTriggerSchema,
  scheduleTriggerSchema,
  segmentTriggerSchema,
]);

export type Trigger = z.infer<typeof triggerSchema>;
export type EventTrigger = z.infer<typeof eventTriggerSchema>;
export type SegmentTrigger = z.infer<typeof segmentTriggerSchema>;
