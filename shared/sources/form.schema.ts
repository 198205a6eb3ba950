import * as z from 'zod';
import { emailSchema } from '#core/email-address.ts';

const fieldValue = z.union([z.string().max(2_000), z.number(), z.boolean(), z.null()]);

/** What a form posts: `{ email, firstName?, lastName?, fields? }`. */
export const formSubmissionSchema = z
  .object({
    email: emailSchema,
    firstName: z.string().trim().max(100).optional(),
    lastName: z.string().trim().max(100).optional(),
    fields: z.record(z.string().max(100), fieldValue).optional(),
  })
  .strict();

export type FormSubmission = z.infer<typeof formSubmissionSchema>;
