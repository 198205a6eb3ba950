import * as z from 'zod';
import { journeyNodeSchema } from '#workflows/journey.schema.ts';

/**
 * The shapes journey executions pass to their functions (the compiled ASL's Parameters). The
 * handlers parse them, so a hand-edited definition fails loudly at the step, not later.
 */
export const enrollmentTriggerSchema = z.object({
  type: z.enum(['event', 'date', 'inactivity', 'schedule', 'segment']),
  eventId: z.string().min(1),
  name: z.string().optional(),
  at: z.string().min(1),
  correlation: z.string().nullable().optional(),
});

export const enrollmentContextSchema = z.object({
  contactId: z.string().min(1),
  enrollmentId: z.string().min(1),
  journeyId: z.string().min(1),
  journeyVersion: z.number().int().min(1),
  enteredAt: z.string().min(1),
  trigger: enrollmentTriggerSchema,
  nodeId: z.string().min(1),
});

export const stepRequestSchema = enrollmentContextSchema.extend({
  action: z.enum([
    'wait-until',
    'wait-for-event',
    'branch',
    'split',
    'random-split',
    'update-contact',
    'webhook',
    'notify-owner',
    'goal',
  ]),
  node: journeyNodeSchema,
  taskToken: z.string().min(1).optional(),
  waitStartedAt: z.string().min(1).optional(),
});
