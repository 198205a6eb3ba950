/**
 * The one description of the app. The CDK stack (infra/aws) and the local stack (infra/local)
 * both read it, so the functions, routes, streams and state machines cannot drift apart.
 */

import { AGGREGATED_EVENTS } from '#reports/kpi-counters.ts';
import type { FunctionSpec } from './function-spec.ts';

export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT';
  /** API Gateway v2 path, `{name}` for a path parameter. */
  path: string;
  function: FunctionName;
  /** How the handler authenticates the caller (HTTP API authorizers are not used). */
  auth: 'signature' | 'admin-token' | 'api-key' | 'admin-token-or-api-key' | 'signed-link' | 'session' | 'public';
}

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

export const functions = {
  'ingest-webhook': {
    entry: 'functions/ingest-webhook/handler.ts',
    description: 'Verifies a signed webhook from any source kind, stores it once and acknowledges it',
    timeoutSeconds: 10,
    memoryMb: 512,
    grants: ['table:read', 'table:write', 'kms:open'],
  },
  'events-api': {
    entry: 'functions/events-api/handler.ts',
    description: 'Identify and track calls in batches, authenticated by API key, stored once per messageId',
    timeoutSeconds: 15,
    memoryMb: 512,
    grants: ['table:read', 'table:write'],
  },
  'sources-api': {
    entry: 'functions/sources-api/handler.ts',
    description: 'Webhook sources: create, list, rotate (with overlap) and disable',
    timeoutSeconds: 10,
    memoryMb: 256,
    grants: ['table:read', 'table:write', 'secret:admin-token', 'kms:seal'],
  },
  'keys-api': {
    entry: 'functions/keys-api/handler.ts',
    description: 'API keys: create (shown once), list and revoke',
    timeoutSeconds: 10,
    memoryMb: 256,
    grants: ['table:read', 'table:write', 'secret:admin-token'],
  },
  'identity-api': {
    entry: 'functions/identity-api/handler.ts',
    description: 'Identity conflicts waiting for review',
    timeoutSeconds: 10,
    memoryMb: 256,
    grants: ['table:read', 'table:write', 'secret:admin-token'],
  },
  'imports-api': {
    entry: 'functions/imports-api/handler.ts',
    description: 'Contact CSV import: batches of rows through identity resolution, with an error report',
    timeoutSeconds: 60,
    memoryMb: 1024,
    grants: ['table:read', 'table:write', 'secret:admin-token'],
  },
  'endpoints-api': {
    entry: 'functions/endpoints-api/handler.ts',
    description: 'Outbound webhook endpoints: create, list, rotate, disable, delivery log',
    timeoutSeconds: 10,
    memoryMb: 256,
    grants: ['table:read', 'table:write', 'secret:admin-token', 'kms:seal'],
  },
  'deliver-webhook': {
    entry: 'functions/deliver-webhook/handler.ts',
    description: 'First attempt of each outbound webhook delivery, signed with Standard Webhooks',
    timeoutSeconds: 60,
    memoryMb: 256,
    grants: ['table:read', 'table:write', 'kms:open'],
  },
  'retry-webhooks': {
    entry: 'functions/retry-webhooks/handler.ts',
    description: 'Retries outbound webhook deliveries that are due, with backoff',
    timeoutSeconds: 120,
    memoryMb: 256,
    grants: ['table:read', 'table:write', 'kms:open'],
  },
  'process-inbox': {
    entry: 'functions/process-inbox/handler.ts',
    description:
      'Turns stored webhooks into contacts, timeline events and journey enrollments, exits and resumed waits',
    timeoutSeconds: 60,
    memoryMb: 512,
    grants: ['table:read', 'table:write', 'journeys:run'],
  },
  'journey-step': {
    entry: 'functions/journey-step/handler.ts',
    description:
      'One journey node: branches, splits, waits for events, contact updates, webhooks, owner notifications, goals',
    timeoutSeconds: 30,
    memoryMb: 512,
    grants: ['table:read', 'table:write', 'journeys:run', 'ses:send'],
  },
  'journeys-api': {
    entry: 'functions/journeys-api/handler.ts',
    description:
      'Journeys: drafts, validation, publishing with versions, pause/archive, history, simulation, backtests',
    timeoutSeconds: 300,
    memoryMb: 1024,
    grants: ['table:read', 'table:write', 'secret:admin-token', 'journeys:publish'],
  },
  'journey-scheduler': {
    entry: 'functions/journey-scheduler/handler.ts',
    description:
      'Date, inactivity and schedule triggers: fires what is due, runs resumable contact scans, repairs stranded enrollments',
    timeoutSeconds: 300,
    memoryMb: 512,
    // journeys:run includes DescribeExecution, which the repair sweep needs.
    grants: ['table:read', 'table:write', 'journeys:run'],
  },
  'aggregate-events': {
    entry: 'functions/aggregate-events/handler.ts',
    description: 'Applies each timeline event, once, to the dashboard counters (KPIs, cohorts, journeys)',
    timeoutSeconds: 60,
    memoryMb: 256,
    grants: ['table:read', 'table:write'],
  },
  'reports-api': {
    entry: 'functions/reports-api/handler.ts',
    description: 'KPIs for a period and journey reports, read from counters (never from events)',
    timeoutSeconds: 10,
    memoryMb: 256,
    grants: ['table:read', 'secret:admin-token'],
  },
  'refresh-contact': {
    entry: 'functions/refresh-contact/handler.ts',
    description:
      'Keeps scores and segment memberships current as events arrive and contacts change, arms date triggers, and routes membership changes to journeys',
    timeoutSeconds: 60,
    memoryMb: 512,
    grants: ['table:read', 'table:write', 'journeys:run'],
  },
  'segments-api': {
    entry: 'functions/segments-api/handler.ts',
    description: 'Segments: list, read, save rules (re-evaluating only whom a change can move) and members',
    timeoutSeconds: 10,
    memoryMb: 256,
    grants: ['table:read', 'table:write', 'secret:admin-token'],
  },
  'send-email': {
    entry: 'functions/send-email/handler.ts',
    description: 'Sends one journey email through SES, at most once per enrollment and node',
    timeoutSeconds: 30,
    memoryMb: 512,
    grants: ['table:read', 'table:write', 'ses:send', 'secret:link-signing'],
  },
  'end-enrollment': {
    entry: 'functions/end-enrollment/handler.ts',
    description: 'Records how an enrollment ended: completed or failed',
    timeoutSeconds: 10,
    memoryMb: 256,
    grants: ['table:read', 'table:write'],
  },
  'get-contact': {
    entry: 'functions/get-contact/handler.ts',
    description: 'Returns a contact with its timeline and journey enrollments',
    timeoutSeconds: 10,
    memoryMb: 256,
    grants: ['table:read', 'secret:admin-token'],
  },
  unsubscribe: {
    entry: 'functions/unsubscribe/handler.ts',
    description: 'One-click (RFC 8058) and visible-link unsubscribe',
    timeoutSeconds: 10,
    memoryMb: 256,
    grants: ['table:read', 'table:write', 'secret:link-signing'],
  },
  'record-email-event': {
    entry: 'functions/record-email-event/handler.ts',
    description: 'Applies SES events: timeline entries, suppression, confirmation of sends',
    timeoutSeconds: 30,
    memoryMb: 256,
    grants: ['table:read', 'table:write'],
  },
  preferences: {
    entry: 'functions/preferences/handler.ts',
    description: 'The preference centre: topic subscriptions and unsubscribe from all',
    timeoutSeconds: 10,
    memoryMb: 256,
    grants: ['table:read', 'table:write', 'secret:link-signing'],
  },
  'templates-api': {
    entry: 'functions/templates-api/handler.ts',
    description: 'Email templates: list, save (compiled and checked), preview and test-send',
    timeoutSeconds: 30,
    memoryMb: 1024,
    grants: ['table:read', 'table:write', 'secret:admin-token', 'secret:link-signing', 'ses:send'],
  },
  dashboard: {
    entry: 'functions/dashboard/handler.ts',
    description: "The owner's dashboard: admin-token sign-in, session cookie, pages and the data they draw",
    timeoutSeconds: 10,
    // More memory is more CPU on Lambda: the contact page scores up to 1,000 events per request.
    memoryMb: 512,
    grants: ['table:read', 'secret:admin-token', 'secret:link-signing', 'journeys:read'],
  },
  health: {
    entry: 'functions/health/handler.ts',
    description: 'Reports whether the app can reach its table',
    timeoutSeconds: 5,
    memoryMb: 256,
    grants: ['table:read'],
  },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof functions;

export const routes: readonly RouteSpec[] = [
  { method: 'POST', path: '/webhooks/{sourceId}', function: 'ingest-webhook', auth: 'signature' },
  { method: 'GET', path: '/api/contacts', function: 'get-contact', auth: 'admin-token' },
  { method: 'POST', path: '/api/events', function: 'events-api', auth: 'api-key' },
  { method: 'GET', path: '/api/sources', function: 'sources-api', auth: 'admin-token' },
  { method: 'POST', path: '/api/sources', function: 'sources-api', auth: 'admin-token' },
  { method: 'GET', path: '/api/sources/{id}', function: 'sources-api', auth: 'admin-token' },
  { method: 'POST', path: '/api/sources/{id}/rotate', function: 'sources-api', auth: 'admin-token' },
  { method: 'POST', path: '/api/sources/{id}/disable', function: 'sources-api', auth: 'admin-token' },
  { method: 'POST', path: '/api/sources/{id}/enable', function: 'sources-api', auth: 'admin-token' },
  { method: 'GET', path: '/api/keys', function: 'keys-api', auth: 'admin-token' },
  { method: 'POST', path: '/api/keys', function: 'keys-api', auth: 'admin-token' },
  { method: 'POST', path: '/api/keys/{id}/revoke', function: 'keys-api', auth: 'admin-token' },
  { method: 'GET', path: '/api/identity/conflicts', function: 'identity-api', auth: 'admin-token' },
  { method: 'POST', path: '/api/identity/conflicts/{id}/dismiss', function: 'identity-api', auth: 'admin-token' },
  { method: 'POST', path: '/api/imports', function: 'imports-api', auth: 'admin-token-or-api-key' },
  { method: 'GET', path: '/api/imports/{id}', function: 'imports-api', auth: 'admin-token-or-api-key' },
  { method: 'POST', path: '/api/imports/{id}/rows', function: 'imports-api', auth: 'admin-token-or-api-key' },
  { method: 'POST', path: '/api/imports/{id}/complete', function: 'imports-api', auth: 'admin-token-or-api-key' },
  { method: 'GET', path: '/api/endpoints', function: 'endpoints-api', auth: 'admin-token' },
  { method: 'POST', path: '/api/endpoints', function: 'endpoints-api', auth: 'admin-token' },
  { method: 'GET', path: '/api/endpoints/{id}', function: 'endpoints-api', auth: 'admin-token' },
  { method: 'POST', path: '/api/endpoints/{id}/rotate', function: 'endpoints-api', auth: 'admin-token' },
  { method: 'POST', path: '/api/endpoints/{id}/disable', function: 'endpoints-api', auth: 'admin-token' },
  { method: 'GET', path: '/api/endpoints/{id}/deliveries', function: 'endpoints-api', auth: 'admin-token' },
  { method: 'GET', path: '/api/templates', function: 'templates-api', auth: 'admin-token' },
  { method: 'GET', path: '/api/templates/{id}', function: 'templates-api', auth: 'admin-token' },
  { method: 'PUT', path: '/api/templates/{id}', function: 'templates-api', auth: 'admin-token' },
  { method: 'GET', path: '/api/templates/{id}/versions', function: 'templates-api', auth: 'admin-token' },
  { method: 'POST', path: '/api/templates/{id}/preview', function: 'templates-api', auth: 'admin-token' },
  { method: 'POST', path: '/api/templates/{id}/test-send', function: 'templates-api', auth: 'admin-token' },
  { method: 'GET', path: '/api/journeys', function: 'journeys-api', auth: 'admin-token' },
  { method: 'POST', path: '/api/journeys/validate', function: 'journeys-api', auth: 'admin-token' },
  { method: 'GET', path: '/api/journeys/{id}', function: 'journeys-api', auth: 'admin-token' },
  { method: 'PUT', path: '/api/journeys/{id}', function: 'journeys-api', auth: 'admin-token' },
  { method: 'POST', path: '/api/journeys/{id}/validate', function: 'journeys-api', auth: 'admin-token' },
  { method: 'POST', path: '/api/journeys/{id}/publish', function: 'journeys-api', auth: 'admin-token' },
  { method: 'POST', path: '/api/journeys/{id}/pause', function: 'journeys-api', auth: 'admin-token' },
  { method: 'POST', path: '/api/journeys/{id}/resume', function: 'journeys-api', auth: 'admin-token' },
  { method: 'POST', path: '/api/journeys/{id}/archive', function: 'journeys-api', auth: 'admin-token' },
  { method: 'GET', path: '/api/journeys/{id}/versions', function: 'journeys-api', auth: 'admin-token' },
  { method: 'GET', path: '/api/journeys/{id}/versions/{version}', function: 'journeys-api', auth: 'admin-token' },
  { method: 'POST', path: '/api/journeys/{id}/simulate', function: 'journeys-api', auth: 'admin-token' },
  { method: 'POST', path: '/api/journeys/{id}/backtest', function: 'journeys-api', auth: 'admin-token' },
  { method: 'GET', path: '/api/tasks', function: 'journeys-api', auth: 'admin-token' },
  { method: 'POST', path: '/api/tasks/{id}/done', function: 'journeys-api', auth: 'admin-token' },
  { method: 'GET', path: '/api/segments', function: 'segments-api', auth: 'admin-token' },
  { method: 'GET', path: '/api/segments/{id}', function: 'segments-api', auth: 'admin-token' },
  { method: 'PUT', path: '/api/segments/{id}', function: 'segments-api', auth: 'admin-token' },
  { method: 'GET', path: '/api/segments/{id}/members', function: 'segments-api', auth: 'admin-token' },
  { method: 'GET', path: '/api/reports/kpis', function: 'reports-api', auth: 'admin-token' },
  { method: 'GET', path: '/api/reports/journeys', function: 'reports-api', auth: 'admin-token' },
  { method: 'GET', path: '/api/openapi.json', function: 'journeys-api', auth: 'public' },
  { method: 'GET', path: '/unsubscribe', function: 'unsubscribe', auth: 'signed-link' },
  { method: 'POST', path: '/unsubscribe', function: 'unsubscribe', auth: 'signed-link' },
  { method: 'GET', path: '/preferences', function: 'preferences', auth: 'signed-link' },
  { method: 'POST', path: '/preferences', function: 'preferences', auth: 'signed-link' },
  { method: 'GET', path: '/health', function: 'health', auth: 'public' },
  // The dashboard signs in with the admin token itself and keeps an HMAC-signed session cookie.
  { method: 'GET', path: '/dashboard', function: 'dashboard', auth: 'session' },
  { method: 'GET', path: '/dashboard/{page}', function: 'dashboard', auth: 'session' },
  { method: 'POST', path: '/dashboard/sign-in', function: 'dashboard', auth: 'session' },
  { method: 'GET', path: '/dashboard/data/{name}', function: 'dashboard', auth: 'session' },
  // The browser client's files by hashed name, chunks included (chunks/…): code without data, served to anyone.
  { method: 'GET', path: '/dashboard/assets/{file+}', function: 'dashboard', auth: 'session' },
];

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
