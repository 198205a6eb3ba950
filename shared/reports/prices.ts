/**
 * AWS list prices (USD, us-east-1, no free tier, no savings plans) used to show what each
 * journey costs. Edit this table for another Region or after a price change; nothing else in the
 * code holds a price. Every price is per ONE unit, so a cost is just `units × price`.
 */
export interface PriceTable {
  /** Step Functions Standard: $0.025 per 1,000 state transitions. */
  stepFunctionsPerTransition: number;
  /** Lambda arm64: $0.0000133334 per GB-second of duration. */
  lambdaPerGbSecond: number;
  /** Lambda: $0.20 per 1M requests. */
  lambdaPerRequest: number;
  /**
   * DynamoDB on-demand: $0.625 per million write request units, $0.125 per million read request
   * units (the prices after AWS halved on-demand throughput prices in November 2024).
   * Source: https://aws.amazon.com/dynamodb/pricing/on-demand/ (the stored excerpt names the units
   * but not the figures); figures cross-checked against
   * https://airbyte.com/data-engineering-resources/dynamodb-pricing ("US East"). Pages quoting
   * $1.25 / $0.25 predate that cut.
   */
  dynamoDbPerWriteRequestUnit: number;
  dynamoDbPerReadRequestUnit: number;
  /** SES: $0.10 per 1,000 outbound emails. */
  sesPerEmail: number;
}

export const US_EAST_1_PRICES: PriceTable = {
  stepFunctionsPerTransition: 0.025 / 1_000,
  lambdaPerGbSecond: 0.0000133334,
  lambdaPerRequest: 0.2 / 1_000_000,
  dynamoDbPerWriteRequestUnit: 0.625 / 1_000_000,
  dynamoDbPerReadRequestUnit: 0.125 / 1_000_000,
  sesPerEmail: 0.1 / 1_000,
};

/**
 * Estimates for one journey-step Lambda invocation. These are not measured per call (the app
 * only counts invocations); tune them from the function's CloudWatch REPORT lines.
 */
export interface StepUsageEstimate {
  /** Configured memory of `journey-step` (infra/manifest.ts: 512 MB). */
  memoryGb: number;
  /** Average billed duration per invocation, in seconds. */
  secondsPerInvocation: number;
  /** Write request units per step: enrollment update, timeline event, history entry. */
  writeUnitsPerInvocation: number;
  /** Read request units per step: contact, enrollment and journey version reads. */
  readUnitsPerInvocation: number;
}

export const JOURNEY_STEP_USAGE: StepUsageEstimate = {
  memoryGb: 0.5,
  secondsPerInvocation: 0.1,
  writeUnitsPerInvocation: 3,
  readUnitsPerInvocation: 3,
};
