import * as z from 'zod';

/** The query of `GET /api/reports/kpis`: a period by day, and a currency. */
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a day as YYYY-MM-DD');
export const kpiQuerySchema = z
  .object({
    from: day.optional(),
    to: day.optional(),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .optional(),
  })
  .strict()
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: '"from" must not be after "to"', path: ['to'] });
