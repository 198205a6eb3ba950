import * as z from 'zod';
import { journeyNodeSchema } from '#workflows/journey.schema.ts';
import { enrollmentContextSchema } from './journey-input.ts';

/** What a journey's step task passes to the journey-step function: the enrollment, the node and the action. */
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
