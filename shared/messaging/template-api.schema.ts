import * as z from 'zod';
import { emailSchema } from '#core/email-address.ts';

/** The bodies of `POST /api/templates/{id}/preview` and `/test-send`. */
export const previewRequestSchema = z.object({
  email: emailSchema.optional(),
  locale: z.string().min(2).max(35).optional(),
  sample: z
    .object({ firstName: z.string().optional(), lastName: z.string().optional(), locale: z.string().optional() })
    .optional(),
});
export const testSendRequestSchema = previewRequestSchema.extend({ to: emailSchema });
