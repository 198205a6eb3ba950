import { z } from 'zod';
import { DEFAULT_ADMIN_TOKEN, DEFAULT_DEMO_SOURCE_SECRET } from './stack.ts';

const port = (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback);
/** Whole days, checked as the functions' configuration checks them (shared/platform/config.ts). */
const days = (min: number) =>
  z.coerce
    .number()
    .int('a whole number of days')
    .min(min, `at least ${min} day${min === 1 ? '' : 's'}`)
    .max(36_500, 'at most 36500 days');
const blankIsUnset = (value: unknown) => (value === '' ? undefined : value);

/** Settings of `npm start`, from the environment; every one has a documented default. */
export const localSettingsSchema = z
  .object({
    PORT: port(3000),
    TEND_SES_PORT: port(8005),
    TEND_DYNAMODB_PORT: port(8000),
    /** An existing DynamoDB endpoint to use instead of starting DynamoDB Local (no Java needed then). */
    TEND_DYNAMODB_URL: z
      .url({ protocol: /^https?$/, error: 'TEND_DYNAMODB_URL must be an http(s) URL' })
      .optional()
      .or(z.literal('').transform(() => undefined)),
    /** The region of a table in AWS (taken from TEND_DYNAMODB_URL's host when unset). */
    AWS_REGION: z.string().min(1).optional(),
    TEND_SFN_PORT: port(8083),
    TEND_DATA_DIR: z.string().min(1).default('.tend'),
    TEND_TIME_SCALE: z.coerce.number().positive().max(10_000_000).default(1),
    TEND_ADMIN_TOKEN: z
      .string()
      .min(16, 'TEND_ADMIN_TOKEN must be at least 16 characters')
      .default(DEFAULT_ADMIN_TOKEN),
    /** People in the demo shop posted on the first start of a data directory (0: none). */
    TEND_DEMO_CONTACTS: z.coerce.number().int().min(0).max(100_000).default(150),
    /**
     * Days raw inbox records are kept before DynamoDB's TTL removes them (at least 7: they are what
     * makes a provider's retried delivery a no-op). The functions read it from the environment.
     */
    TEND_INBOX_RETENTION_DAYS: z.preprocess(blankIsUnset, days(7).default(30)),
    /** Days timeline events are kept after they happened; unset keeps them for good. */
    TEND_TIMELINE_RETENTION_DAYS: z.preprocess(blankIsUnset, days(1).optional()),
    TEND_DEMO_SOURCE_SECRET: z
      .string()
      .regex(/^whsec_[A-Za-z0-9+/=]{16,}$/, 'TEND_DEMO_SOURCE_SECRET must look like whsec_<base64>')
      .default(DEFAULT_DEMO_SOURCE_SECRET),
  })
  // An erase finds a person's inbox records through their timeline: the records must not outlive it.
  .refine((s) => (s.TEND_TIMELINE_RETENTION_DAYS ?? Number.POSITIVE_INFINITY) >= s.TEND_INBOX_RETENTION_DAYS, {
    path: ['TEND_TIMELINE_RETENTION_DAYS'],
    message: 'timeline events must be kept at least as long as inbox records (TEND_INBOX_RETENTION_DAYS)',
  });

export type LocalSettings = z.infer<typeof localSettingsSchema>;

export function readLocalSettings(env: NodeJS.ProcessEnv = process.env): LocalSettings {
  const parsed = localSettingsSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
  }
  return parsed.data;
}
