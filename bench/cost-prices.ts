/**
 * The price list the cost benchmark bills with: AWS list prices in us-east-1, on-demand, no free
 * tier, no savings plans. The prices the app itself shows per journey come from
 * `shared/reports/prices.ts` and are reused here; the rest are only needed for a whole bill.
 *
 * Price date: 2026-12-07, as listed on these pages (read before that date; this machine has no
 * network, so they were not re-read for the run): "Amazon DynamoDB pricing, on-demand" (after
 * the November 2024 cut), "AWS Lambda pricing" (Arm), "AWS Step Functions pricing" (Standard
 * workflows), "Amazon SES pricing" (outbound email), "Amazon EventBridge pricing" (events
 * published), "Amazon API Gateway pricing" (HTTP APIs), "AWS Key Management Service pricing",
 * "AWS Secrets Manager pricing", "Amazon CloudWatch pricing" (logs, custom metrics, alarms,
 * dashboards) and "AWS X-Ray pricing" (traces recorded). Edit here after a price change.
 */
import { US_EAST_1_PRICES } from '#reports/prices.ts';

export const PRICE_DATE = '2026-12-07';

export const PRICES = {
  ...US_EAST_1_PRICES,
  /** DynamoDB Standard table class: $0.25 per GB-month stored. */
  dynamoDbPerGbMonth: 0.25,
  /** DynamoDB continuous backups (PITR, on in infra/aws): $0.20 per GB-month. */
  dynamoDbPitrPerGbMonth: 0.2,
  /**
   * EventBridge: $1.00 per million events published. SES's configuration-set events may count as
   * AWS service events, which are free; priced here as if they were not.
   */
  eventBridgePerEvent: 1 / 1_000_000,
  /** API Gateway HTTP API: $1.00 per million requests (first 300 million a month). */
  httpApiPerRequest: 1 / 1_000_000,
  /** KMS: $0.03 per 10,000 requests; $1 per customer managed key a month. */
  kmsPerRequest: 0.03 / 10_000,
  kmsPerKeyMonth: 1,
  /** Secrets Manager: $0.05 per 10,000 API calls; $0.40 per secret a month. */
  secretsPerCall: 0.05 / 10_000,
  secretsPerSecretMonth: 0.4,
  /** CloudWatch Logs standard ingestion (vended Step Functions logs too): $0.50 per GB. */
  logsPerGb: 0.5,
  /** CloudWatch: $0.30 per custom metric a month (first 10,000), $0.10 per standard alarm, $3 per dashboard. */
  customMetricPerMonth: 0.3,
  alarmPerMonth: 0.1,
  dashboardPerMonth: 3,
  /** X-Ray: $5.00 per million traces recorded (tracing is active on every function). */
  xrayPerTrace: 5 / 1_000_000,
} as const;

/** Billing granularity of a CloudWatch Logs event: the message plus 26 bytes of metadata. */
export const LOG_EVENT_OVERHEAD_BYTES = 26;
/**
 * Lambda's own START, END and REPORT lines per invocation (REPORT with the X-Ray trace line),
 * about 330 bytes: their shape is fixed, so estimated rather than measured.
 */
export const LAMBDA_PLATFORM_LOG_BYTES = 330;
/**
 * One HTTP API access-log line (`ACCESS_LOG_FORMAT` in infra/aws/api.construct.ts with typical
 * values: ids, IP, time, route, status, latencies), about 330 bytes.
 */
export const ACCESS_LOG_BYTES = 330;

/** Scheduled functions run every minute all month, whatever the traffic: 43,200 runs each. */
export const SCHEDULED_RUNS_PER_MONTH = 30 * 24 * 60;
