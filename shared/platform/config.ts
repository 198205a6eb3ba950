import * as z from 'zod';
import { isTimeZone } from '#core/time-zone.ts';

/**
 * The only reader of `process.env`. Parsed once at module load, so a Lambda with a missing
 * variable fails at cold start instead of halfway through a request.
 */
/** The shortest inbox retention: the longest window in which a provider retries a delivery, with room. */
const INBOX_MIN_RETENTION_DAYS = 7;
/** A century: beyond it a retention is a typing mistake, not a policy. */
const MAX_RETENTION_DAYS = 36_500;

/** A whole number of days; an empty variable counts as unset. */
const retentionDays = (min: number) =>
  z.coerce
    .number()
    .int('a whole number of days')
    .min(min, `at least ${min} day${min === 1 ? '' : 's'}`)
    .max(MAX_RETENTION_DAYS, `at most ${MAX_RETENTION_DAYS} days`);
const blankIsUnset = (value: unknown) => (value === '' ? undefined : value);
const optionalText = (max: number) => z.preprocess(blankIsUnset, z.string().trim().min(1).max(max).optional());

const envFields = z.object({
  AWS_REGION: z.string().default('us-east-1'),
  TEND_TABLE_NAME: z.string().min(1),
  /** Role journey state machines run as; publishing needs it. */
  TEND_JOURNEY_ROLE_ARN: z.string().min(1).default('arn:aws:iam::000000000000:role/tend-local-journeys'),
  /** Journey state machines are named `<prefix>-<journeyId>`. */
  TEND_JOURNEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9-_]{1,16}$/)
    .default('tend'),
  /** CloudWatch Logs group for journey execution logs (AWS). */
  TEND_JOURNEY_LOG_GROUP_ARN: z.string().optional(),
  /** The functions compiled journeys call (ARNs on AWS, local ARNs locally). */
  TEND_SEND_EMAIL_FUNCTION_ARN: z.string().default('send-email'),
  TEND_END_ENROLLMENT_FUNCTION_ARN: z.string().default('end-enrollment'),
  TEND_JOURNEY_STEP_FUNCTION_ARN: z.string().default('journey-step'),
  /** Where notify-owner emails go when the node names no address. */
  TEND_OWNER_EMAIL: z.email().optional(),
  /** Local only: per-journey time scales, e.g. `{"abandoned-cart":3600}` (JSON). */
  TEND_JOURNEY_TIME_SCALES: z
    .string()
    .default('{}')
    .transform((text, ctx) => {
      try {
        return z.record(z.string(), z.number().positive()).parse(JSON.parse(text));
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object of journey id to time scale' });
        return z.NEVER;
      }
    }),
  TEND_FROM_EMAIL: z.string().min(3).default('Tend <hello@tend.example.com>'),
  /** Optional Reply-To address for every email. */
  TEND_REPLY_TO: z.email().optional(),
  /** Time zone for quiet hours when a contact has none. */
  TEND_DEFAULT_TIME_ZONE: z.string().refine(isTimeZone, 'not an IANA time zone').default('UTC'),
  /** Public base URL of the HTTP API, used in unsubscribe links. */
  TEND_PUBLIC_URL: z.url().default('http://localhost:3000'),
  /** Postal address shown in every marketing email footer. */
  TEND_POSTAL_ADDRESS: z.string().default('Tend Demo Shop, 1 Example Street, Springfield'),
  TEND_SES_CONFIGURATION_SET: z.string().optional(),
  /** Either the token itself (local) or a Secrets Manager secret holding it (AWS). */
  TEND_ADMIN_TOKEN: z.string().min(16).optional(),
  TEND_ADMIN_TOKEN_SECRET_ARN: z.string().optional(),
  /** Key that signs unsubscribe links; same either/or as the admin token. */
  TEND_LINK_SECRET: z.string().min(16).optional(),
  TEND_LINK_SECRET_ARN: z.string().optional(),
  /**
   * Single sign-on through OpenID Connect, off unless the issuer is set: the identity provider's
   * issuer URL (https; plain http only on this machine), the client Tend is registered as, and its
   * secret (itself locally, or a Secrets Manager secret on AWS). The name labels the sign-in
   * button ("Sign in with Okta").
   */
  TEND_OIDC_ISSUER: z.preprocess(
    blankIsUnset,
    z
      .url()
      .regex(/^(https:|http:\/\/(localhost|127\.0\.0\.1|\[::1\])[:/])/, 'https (http only on localhost)')
      .optional(),
  ),
  TEND_OIDC_CLIENT_ID: optionalText(256),
  TEND_OIDC_CLIENT_SECRET: optionalText(1024),
  TEND_OIDC_CLIENT_SECRET_ARN: optionalText(2048),
  TEND_OIDC_NAME: optionalText(40),
  /** KMS key that seals stored webhook secrets (AWS). */
  TEND_KMS_KEY_ID: z.string().optional(),
  /** Master key for sealing stored secrets when there is no KMS (local). */
  TEND_SECRET_KEY: z.string().min(16).optional(),
  /** Lets outbound webhooks reach http:// and loopback URLs (local only). */
  TEND_ALLOW_INSECURE_WEBHOOKS: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /**
   * Seconds a warm ingest function keeps a source (status, secrets, settings) before reading it
   * again; 0 reads it for every webhook. A refused delivery always reads it again, so a rotated
   * secret or an enabled source works at once; disabling takes effect within this time.
   */
  TEND_SOURCE_CACHE_SECONDS: z.coerce.number().min(0).default(5),
  /** Local only: virtual seconds per real second (waits, schedules and webhook retry delays). */
  TEND_TIME_SCALE: z.coerce.number().positive().default(1),
  /**
   * How long an active enrollment may go without a running execution before the journey
   * scheduler's repair sweep starts, restarts or closes it (seconds of journey time).
   */
  TEND_REPAIR_GRACE_SECONDS: z.coerce.number().positive().default(600),
  /**
   * Days a raw inbox record (a webhook's or an API event's body as received) is kept: its
   * `expiresAt` is set when it is written, this many days after it was received, and DynamoDB's
   * TTL deletes it after that. The record is also what makes a replayed delivery a no-op, so the
   * period must outlast every provider's retries (Stripe's run for three days): at least 7.
   */
  TEND_INBOX_RETENTION_DAYS: z.preprocess(blankIsUnset, retentionDays(INBOX_MIN_RETENTION_DAYS).default(30)),
  /**
   * Days a timeline event is kept after it happened; unset keeps the timeline for good. Scores,
   * segment rules and journey conditions read the timeline, so a rule looking back further than
   * this sees fewer events.
   */
  TEND_TIMELINE_RETENTION_DAYS: z.preprocess(blankIsUnset, retentionDays(1).optional()),
  /** Local endpoints; unset on AWS. */
  TEND_DYNAMODB_ENDPOINT: z.url().optional(),
  TEND_SES_ENDPOINT: z.url().optional(),
  TEND_SFN_ENDPOINT: z.url().optional(),
  TEND_SECRETS_ENDPOINT: z.url().optional(),
  TEND_KMS_ENDPOINT: z.url().optional(),
});

// Half a single sign-on configuration is a mistake to name at start, not a button that fails.
const envSchema = envFields
  .refine(
    (env) =>
      !env.TEND_OIDC_ISSUER ===
      !(env.TEND_OIDC_CLIENT_ID && (env.TEND_OIDC_CLIENT_SECRET || env.TEND_OIDC_CLIENT_SECRET_ARN)),
    {
      path: ['TEND_OIDC_ISSUER'],
      message:
        'single sign-on needs TEND_OIDC_ISSUER, TEND_OIDC_CLIENT_ID and TEND_OIDC_CLIENT_SECRET (or its _ARN) together',
    },
  )
  // An erase finds a person's inbox records through their timeline: the records must not outlive it.
  .refine((env) => (env.TEND_TIMELINE_RETENTION_DAYS ?? Number.POSITIVE_INFINITY) >= env.TEND_INBOX_RETENTION_DAYS, {
    path: ['TEND_TIMELINE_RETENTION_DAYS'],
    message: 'timeline events must be kept at least as long as inbox records (TEND_INBOX_RETENTION_DAYS)',
  });

export type Config = z.infer<typeof envSchema>;

/** Reads the configuration from an environment; throws naming every variable that is wrong. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  // Parsed once per cold start: zod's compiled fast path would cost more to generate than it saves.
  const parsed = envSchema.safeParse(env, { jitless: true });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  return parsed.data;
}

export const config: Config = parseConfig(process.env);
