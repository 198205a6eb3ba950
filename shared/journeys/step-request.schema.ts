import * as z from 'zod';
import { journeyNodeSchema } from '#workflows/journey.schema.ts';
import { enrollmentContextSchema } from './input.ts';

/** What a journey's step task passes to the journey-step function: the enrollment, the node and the action. */
export const stepRequestSchema = enrollmentContextSchema
  .extend({
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
    /** A decision run in the same call after a contact update (a fused pair, see `fusedDecisions`). */
    decision: z
      .object({ nodeId: z.string().min(1), node: journeyNodeSchema })
      .refine((d) => ['branch', 'split', 'random-split'].includes(d.node.type), {
        message: 'decision.node must be a branch, split or random-split',
      })
      .optional(),
    taskToken: z.string().min(1).optional(),
    waitStartedAt: z.string().min(1).optional(),
  })
  .refine((req) => !req.decision || (req.action === 'update-contact' && req.node.type === 'update-contact'), {
    message: 'decision is only for an update-contact step',
    path: ['decision'],
  });
