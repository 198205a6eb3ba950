import * as z from 'zod';
import { ENROLLMENT_TRIGGER_TYPES, type EnrollmentTrigger } from '#core/contact.ts';
import type { EnrollmentInput } from '#workflows/compile.ts';

/**
 * The shapes journey executions pass to their functions (the compiled ASL's Parameters). The
 * handlers parse them, so a hand-edited definition fails loudly at the step, not later. A step's
 * request, which carries a node, is in ./step-request.schema.ts: it needs the journey schema,
 * which the send path does not load.
 */
export const enrollmentTriggerSchema = z.object({
  type: z.enum(ENROLLMENT_TRIGGER_TYPES),
  eventId: z.string().min(1),
  name: z.string().optional(),
  at: z.string().min(1),
  correlation: z.string().nullable().optional(),
}) satisfies z.ZodType<EnrollmentTrigger>;

/** The execution's input (`EnrollmentInput`) and the node the step runs for. */
export const enrollmentContextSchema = z.object({
  contactId: z.string().min(1),
  enrollmentId: z.string().min(1),
  journeyId: z.string().min(1),
  journeyVersion: z.number().int().min(1),
  enteredAt: z.string().min(1),
  trigger: enrollmentTriggerSchema,
  nodeId: z.string().min(1),
}) satisfies z.ZodType<EnrollmentInput & { nodeId: string }>;
