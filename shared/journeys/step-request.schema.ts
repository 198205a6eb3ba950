import * as z from 'zod';
import { journeyNodeSchema } from '#workflows/journey.schema.ts';
import { DECISION_TYPES, STEP_ACTIONS } from '#workflows/journey-nodes.ts';
import { enrollmentContextSchema } from './input.ts';

const DECISIONS: readonly string[] = DECISION_TYPES;

/** What a journey's step task passes to the journey-step function: the enrollment, the node and the action. */
export const stepRequestSchema = enrollmentContextSchema
  .extend({
    action: z.enum(STEP_ACTIONS),
    node: journeyNodeSchema,
    /** A decision run in the same call after a contact update (a fused pair, see `fusedDecisions`). */
    decision: z
      .object({ nodeId: z.string().min(1), node: journeyNodeSchema })
      .refine((d) => DECISIONS.includes(d.node.type), {
        message: 'decision.node must be a branch, split or random-split',
      })
      .optional(),
    /** wait-for-event: the task token the execution waits on. */
    taskToken: z.string().min(1).optional(),
    /** wait-for-event: when the state was entered. */
    waitStartedAt: z.string().min(1).optional(),
  })
  .refine((req) => !req.decision || (req.action === 'update-contact' && req.node.type === 'update-contact'), {
    message: 'decision is only for an update-contact step',
    path: ['decision'],
  });
