import type { FunctionSpec } from './function-spec.ts';

/** Every function of the app: its entry, budget and grants (read through `manifest.ts`). */
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
    grants: ['table:read', 'table:write', 'secret:admin-token', 'secret:link-signing'],
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
    grants: ['table:read', 'secret:admin-token', 'audit:append'],
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
    grants: ['table:read', 'secret:admin-token', 'audit:append'],
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
    description:
      'The dashboard: sign-in by email and password, single sign-on or the admin token into revocable sessions, invitations, pages and their data',
    timeoutSeconds: 10,
    // More memory is more CPU on Lambda: the contact page scores up to 1,000 events per request,
    // and a sign-in hashes a password with scrypt (32 MiB, about 100 ms of one core).
    memoryMb: 512,
    // Writes: sessions, sign-in attempts, the user at sign-in and invitation, the audit log.
    grants: ['table:read', 'table:write', 'secret:admin-token', 'secret:link-signing', 'journeys:read'],
  },
  'contact-consent': {
    entry: 'functions/contact-consent/handler.ts',
    description: "Staff record a person's unsubscribe or resubscribe request, per topic or for all marketing mail",
    timeoutSeconds: 10,
    memoryMb: 256,
    grants: ['table:read', 'table:write', 'secret:admin-token', 'secret:link-signing'],
  },
  'users-api': {
    entry: 'functions/users-api/handler.ts',
    description: 'Users, roles and personal tokens (shown once), and the audit log',
    timeoutSeconds: 10,
    memoryMb: 256,
    grants: ['table:read', 'table:write', 'secret:admin-token'],
  },
  'privacy-api': {
    entry: 'functions/privacy-api/handler.ts',
    description: "A person's data: everything held about them as JSON, and erase requests with their progress",
    timeoutSeconds: 30,
    memoryMb: 512,
    // journeys:read: the export holds each enrollment's path (the execution's history).
    grants: ['table:read', 'table:write', 'secret:admin-token', 'secret:link-signing', 'journeys:read'],
  },
  'erase-contact': {
    entry: 'functions/erase-contact/handler.ts',
    description:
      'Erases a person on request: stops their executions, removes every item about them, lists the hash of their address',
    timeoutSeconds: 300,
    memoryMb: 512,
    // journeys:run: StopExecution of the person's running enrollments.
    grants: ['table:read', 'table:write', 'journeys:run'],
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
