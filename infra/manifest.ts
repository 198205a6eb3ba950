/**
 * The one description of the app. The CDK stack (infra/aws) and the local stack (infra/local)
 * both read it, so the functions, routes, streams and state machines cannot drift apart.
 */

import { AGGREGATED_EVENTS } from '#reports/kpi-counters.ts';
import type { FunctionName } from './app-functions.ts';

export { type FunctionName, functions } from './app-functions.ts';
export { type RouteSpec, routes } from './routes.ts';

export interface StreamSpec {
  function: FunctionName;
  /** Only stream records whose new image has `type` equal to one of these reach the function. */
  itemTypes: readonly string[];
  /** Which writes reach it: new items only (the default), or changed ones too. */
  changes?: readonly ('INSERT' | 'MODIFY')[];
  batchSize: number;
  /** Attempts before a batch goes to the dead-letter path. */
  maxAttempts: number;
  /**
   * Batches in flight at once per shard, each over other partition keys (a contact's records
   * stay in order): Lambda's ParallelizationFactor, 1 to 10. Default
   * `DEFAULT_PARALLELIZATION_FACTOR` (stream-mapping.ts).
   */
  parallelizationFactor?: number;
  /**
   * Seconds to wait for a fuller batch (Lambda's MaximumBatchingWindowInSeconds), for consumers
   * whose work is cheaper per record in bigger batches and need not be immediate. Default 0.
   */
  batchingWindowSeconds?: number;
  /**
   * Only timeline events (items of type `event`) whose `name` is one of these reach the function
   * (the events a consumer acts on), so it is never invoked for the others. Items of its other
   * types are not filtered by name. Default: every name.
   */
  eventNames?: readonly string[];
}

export const streams: readonly StreamSpec[] = [
  { function: 'process-inbox', itemTypes: ['inbox'], batchSize: 10, maxAttempts: 5 },
  { function: 'deliver-webhook', itemTypes: ['webhook-delivery'], batchSize: 10, maxAttempts: 3 },
  // Counters cost one transaction per batch, and the dashboard can be a second behind: the
  // batching window gathers an event's follow-ups (its journey entry, the send) into one batch.
  // New inbox records are counted on their source here too, with the events they turn into,
  // so ingest writes the record alone.
  {
    function: 'aggregate-events',
    itemTypes: ['event', 'inbox'],
    eventNames: AGGREGATED_EVENTS,
    batchSize: 100,
    batchingWindowSeconds: 1,
    maxAttempts: 5,
  },
  // One erase request at a time: each is long. A crash retries it; every step of it is idempotent.
  { function: 'erase-contact', itemTypes: ['privacy-request'], batchSize: 1, maxAttempts: 5 },
  // A contact's events and profile changes of a batch are evaluated together (one read of the
  // contact, one look at the rules): the window gathers an event's follow-ups (a journey step
  // changing the profile) so scores, segments and date triggers are refreshed once. A new
  // contact's image and first events arrive together. (Events are only ever inserted.)
  {
    function: 'refresh-contact',
    itemTypes: ['event', 'contact'],
    changes: ['INSERT', 'MODIFY'],
    batchSize: 100,
    batchingWindowSeconds: 1,
    maxAttempts: 5,
  },
];

/**
 * SES configuration-set events (published to EventBridge on AWS, emulated locally) and the
 * function that applies them. Event types use the SES v2 API's names.
 */
export const emailEvents = {
  function: 'record-email-event',
  eventTypes: [
    'SEND',
    'DELIVERY',
    'BOUNCE',
    'COMPLAINT',
    'OPEN',
    'CLICK',
    'REJECT',
    'DELIVERY_DELAY',
    'RENDERING_FAILURE',
  ],
} as const satisfies { function: FunctionName; eventTypes: readonly string[] };

/** Scheduled invocations; both stacks read this list (locally the rate is divided by the time scale). */
export const schedules: readonly { function: FunctionName; rate: string }[] = [
  { function: 'retry-webhooks', rate: '1 minute' },
  { function: 'journey-scheduler', rate: '1 minute' },
];

/**
 * The single table: `pk`/`sk` string keys, a stream of new images, TTL on `expiresAt`, and a
 * local secondary index `timeline` (sort key `timelineSk`, string, projection ALL) that orders a
 * contact's events by time.
 */
export const table = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  localIndexes: [{ name: 'timeline', sortKey: 'timelineSk' }],
  nameEnv: 'TEND_TABLE_NAME',
} as const;

/**
 * Functions a compiled journey calls, by the role they play in the ASL. Journeys themselves are
 * data: each is published at run time (API or CLI) as a state machine version, not deployed.
 */
export const journeyFunctions = {
  sendEmail: 'send-email',
  endEnrollment: 'end-enrollment',
  journeyStep: 'journey-step',
} as const satisfies Record<string, FunctionName>;

/** The environment variable through which a journey function's ARN reaches the publisher. */
export const journeyFunctionEnv = {
  sendEmail: 'TEND_SEND_EMAIL_FUNCTION_ARN',
  endEnrollment: 'TEND_END_ENROLLMENT_FUNCTION_ARN',
  journeyStep: 'TEND_JOURNEY_STEP_FUNCTION_ARN',
} as const satisfies Record<keyof typeof journeyFunctions, string>;
