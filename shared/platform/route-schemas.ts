import * as z from 'zod';
import { TOPICS } from '#contacts/consent.ts';
import { rowsSchema, startImportSchema } from '#contacts/imports.ts';
import { staffConsentSchema } from '#contacts/staff-consent.ts';
import { e164Schema } from '#core/canonical-event.ts';
import { emailSchema } from '#core/email-address.ts';
import { backtestRequestSchema, simulateRequestSchema } from '#journeys/api.schema.ts';
import { endpointInputSchema } from '#messaging/outbound.ts';
import { previewRequestSchema, testSendRequestSchema } from '#messaging/template-api.schema.ts';
import { EmailTemplate } from '#messaging/templating/template.schema.ts';
import { auditQuerySchema } from '#people/audit.ts';
import { createTokenSchema, createUserSchema, updateUserSchema } from '#people/users.ts';
import { kpiQuerySchema } from '#reports/api.schema.ts';
import type { ApiScope } from '#sources/api-key.ts';
import { createKeySchema } from '#sources/api-keys.ts';
import { eventsBatchSchema } from '#sources/events-api.ts';
import { createSourceSchema, rotateSourceSchema } from '#sources/sources.ts';
import { journeySchema } from '#workflows/journey.schema.ts';
import { segmentSchema } from '#workflows/segments.ts';

/**
 * What the API document says of each route beyond its method, path and authentication (those
 * are the manifest's, `infra/routes.ts`): its words, and the zod schemas of what it takes and
 * answers, the same ones the capabilities parse with. Keyed by route key (`METHOD /path`).
 */
export interface RouteDoc {
  tag: string;
  summary: string;
  description?: string;
  /** Words for path parameters other than the ones every route shares (`PATH_PARAMETERS`). */
  params?: Record<string, string>;
  query?: z.ZodType;
  headers?: readonly { name: string; description: string }[];
  /** A JSON body. */
  body?: z.ZodType;
  /** A form body (`application/x-www-form-urlencoded`): the email links' pages. */
  form?: z.ZodType;
  /** A body taken as raw bytes (a signed webhook): described, not parsed here. */
  raw?: string;
  /** Answers by status (refusals aside): words, and the body's schema when one is declared. */
  answers: Record<number, string | { description: string; schema?: z.ZodType; html?: true }>;
  /** The scope an API key needs on routes that take one. */
  apiKeyScope?: ApiScope;
}

/** The body of every refusal (`shared/platform/http.ts`): a stable code, words, sometimes details. */
export const errorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

/** Named schemas: written once under `components` and referred to where a route uses them. */
export const SHARED_SCHEMAS: Record<string, z.ZodType> = {
  Error: errorSchema,
  Journey: journeySchema,
  Segment: segmentSchema,
  EmailTemplate,
};

/** Path parameters with one meaning wherever they appear. */
export const PATH_PARAMETERS: Record<string, string> = {
  sourceId: 'The source id, as in its webhook URL',
  userId: 'The user id',
  tokenId: 'The personal token id',
  contactId: 'The contact id',
  requestId: 'The privacy request id',
  version: 'The version number (1, 2, …)',
};

// Query strings and bodies the handlers parse with a schema of their own: the same rules,
// restated here so the document can state them.
const limit = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);
const contactQuery = z
  .object({
    id: z.string().min(1).max(128).optional(),
    email: emailSchema.optional(),
    phone: e164Schema.optional(),
    userId: z.string().min(1).max(128).optional(),
    anonymousId: z.string().min(1).max(128).optional(),
    shopifyCustomerId: z.string().min(1).max(128).optional(),
    stripeCustomerId: z.string().min(1).max(128).optional(),
    wooCustomerId: z.string().min(1).max(128).optional(),
  })
  .strict();
const membersQuery = z.object({ limit: limit(500, 50), cursor: z.string().min(1).max(200).optional() });
const linkQuery = z.object({
  c: z.string().min(1).max(100).describe('The contact id the link was sent to'),
  topic: z.string().min(1).max(64).optional().describe('The topic to leave (unsubscribe only); none: all marketing'),
  t: z.string().min(1).max(100).describe("The link's signature"),
});
const topicIds = TOPICS.map((t) => t.id) as [string, ...string[]];
const preferencesForm = z.object({
  topic: z.array(z.enum(topicIds)).optional().describe('The topics kept (repeated); the others are left'),
  all: z.literal('unsubscribe').optional().describe('Leave all marketing email'),
});
const oneClickForm = z.object({ 'List-Unsubscribe': z.literal('One-Click').optional() });

const ifMatch = { name: 'If-Match', description: 'The revision the change was made from: refused (409) if it moved' };

type Rest = Omit<RouteDoc, 'tag' | 'summary' | 'answers'> & { answers?: RouteDoc['answers'] };

/** A group of routes: their tag, what their `{id}` names, and anything else they share. */
const group =
  (tag: string, id?: string, shared: Rest = {}) =>
  (summary: string, rest: Rest = {}): RouteDoc => ({
    tag,
    summary,
    ...(id ? { params: { id } } : {}),
    ...shared,
    ...rest,
    answers: rest.answers ?? { 200: summary },
  });

const sources = group('Sources', 'The source id');
const keys = group('API keys', 'The API key id');
const identity = group('Identity', 'The conflict id');
const imports = group('Imports', 'The import id', { apiKeyScope: 'contacts:import' });
const endpoints = group('Outbound webhooks', 'The endpoint id');
const templates = group('Templates', 'The template id');
const journeys = group('Journeys', 'The journey id');
const tasks = group('Tasks', 'The task id');
const segments = group('Segments', 'The segment id');
const reports = group('Reports');
const users = group('Users');
const privacy = group('Privacy');
const links = group('Email links');
const platform = group('Platform');

const page = (description: string) => ({ 200: { description, html: true as const } });

export const ROUTE_DOCS: Record<string, RouteDoc> = {
  'POST /webhooks/{sourceId}': group('Webhooks')('Receive a signed delivery from a source', {
    raw: "The provider's payload exactly as it was signed (JSON; a WooCommerce ping is a form)",
    answers: {
      202: 'Stored once, to be processed: `{status: "accepted" | "ignored", id, topic, reason?}`',
      200: 'A replay of a stored delivery, or a provider handshake: `{status: "duplicate" | "handshake", id}`',
    },
  }),
  'GET /api/contacts': group('Contacts')('Read a contact: profile with provenance, timeline, enrollments', {
    description: 'Give exactly one of the query parameters.',
    query: contactQuery,
  }),
  'POST /api/events': group('Events')('Identify and track: one message, or a batch of up to 100', {
    description: 'Each message is stored once by its messageId; a retried batch stores nothing new.',
    body: z.union([eventsBatchSchema, eventsBatchSchema.shape.batch.element]),
    answers: { 202: 'At least one message stored: `{results}`', 200: 'Every message was a replay: `{results}`' },
    apiKeyScope: 'events:write',
  }),
  'GET /api/sources': sources('List webhook sources, with their delivery counts'),
  'POST /api/sources': sources('Create a webhook source', {
    body: createSourceSchema,
    answers: { 201: '`{source, secret?}`: a generated secret is shown in this answer only' },
  }),
  'GET /api/sources/{id}': sources('Read a source'),
  'POST /api/sources/{id}/rotate': sources('Rotate the signing secret (the previous one verifies for a while)', {
    body: rotateSourceSchema,
  }),
  'POST /api/sources/{id}/disable': sources('Disable a source: its deliveries are refused'),
  'POST /api/sources/{id}/enable': sources('Enable a source again'),
  'GET /api/keys': keys('List API keys (never their secrets)'),
  'POST /api/keys': keys('Create an API key', {
    body: createKeySchema,
    answers: { 201: '`{key, token}`: the token is shown in this answer only' },
  }),
  'POST /api/keys/{id}/revoke': keys('Revoke an API key'),
  'GET /api/identity/conflicts': identity('Identity conflicts waiting for review'),
  'POST /api/identity/conflicts/{id}/dismiss': identity('Dismiss an identity conflict'),
  'POST /api/imports': imports('Start a contact CSV import', {
    body: startImportSchema,
    answers: { 201: '`{import}`' },
  }),
  'GET /api/imports/{id}': imports('Read an import and its error report'),
  'POST /api/imports/{id}/rows': imports('Send a batch of rows (at most 1,000)', { body: rowsSchema }),
  'POST /api/imports/{id}/complete': imports('Finish an import'),
  'GET /api/endpoints': endpoints('List outbound webhook endpoints'),
  'POST /api/endpoints': endpoints('Register an outbound webhook endpoint', {
    body: endpointInputSchema(false),
    answers: { 201: '`{endpoint, secret}`: the signing secret is shown in this answer only' },
  }),
  'GET /api/endpoints/{id}': endpoints('Read an endpoint'),
  'POST /api/endpoints/{id}/rotate': endpoints("Rotate an endpoint's signing secret"),
  'POST /api/endpoints/{id}/disable': endpoints('Disable an endpoint'),
  'GET /api/endpoints/{id}/deliveries': endpoints("An endpoint's delivery log, newest first", {
    query: z.object({ limit: limit(100, 25) }),
  }),
  'GET /api/templates': templates('List templates, saved and shipped'),
  'GET /api/templates/{id}': templates('Read a template: its source and compiled form'),
  'PUT /api/templates/{id}': templates('Save a new version (compiled and checked first)', {
    body: EmailTemplate,
    answers: { 200: '`{id, version, savedAt}`' },
  }),
  'GET /api/templates/{id}/versions': templates("A template's saved versions"),
  'POST /api/templates/{id}/preview': templates('Render a template for a contact or sample data', {
    body: previewRequestSchema,
  }),
  'POST /api/templates/{id}/test-send': templates('Send a test of a template', {
    body: testSendRequestSchema,
    answers: { 202: 'Sent to SES' },
  }),
  'GET /api/journeys': journeys('List journeys (saved, published and built-in)'),
  'POST /api/journeys/validate': journeys('Validate a document without saving it', { body: journeySchema }),
  'GET /api/journeys/{id}': journeys('Read a journey: status, working draft with its violations, live version'),
  'PUT /api/journeys/{id}': journeys('Save a draft revision', { headers: [ifMatch], body: journeySchema }),
  'POST /api/journeys/{id}/validate': journeys('Validate the working draft; reports the transitions each path costs'),
  'POST /api/journeys/{id}/publish': journeys('Publish the working draft as a new version and make it live', {
    description: 'Publishing makes a new Step Functions version; contacts inside finish on the version they entered.',
    answers: { 201: 'The version' },
  }),
  'POST /api/journeys/{id}/pause': journeys('Stop new entries (contacts inside go on)'),
  'POST /api/journeys/{id}/resume': journeys('Take new entries again'),
  'POST /api/journeys/{id}/archive': journeys('Retire the journey for good (contacts inside go on)'),
  'GET /api/journeys/{id}/versions': journeys('Published versions, newest first, with who, when and a diff'),
  'GET /api/journeys/{id}/versions/{version}': journeys('One version: its document and compiled ASL'),
  'POST /api/journeys/{id}/simulate': journeys('Run one contact with a scripted timeline on a virtual clock', {
    body: simulateRequestSchema,
  }),
  'POST /api/journeys/{id}/backtest': journeys('Replay the stored events of a period through the journey', {
    body: backtestRequestSchema,
  }),
  'GET /api/tasks': tasks('The tasks notify-owner steps opened', {
    query: z.object({ status: z.enum(['open', 'done']).optional() }),
  }),
  'POST /api/tasks/{id}/done': tasks('Close a task'),
  'GET /api/segments': segments('List segments with member counts'),
  'GET /api/segments/{id}': segments('Read a segment: its rule in words and its re-evaluation'),
  'PUT /api/segments/{id}': segments("Save a segment's rule", {
    description: "The answer's `scope` says whom the change re-evaluates.",
    headers: [ifMatch],
    body: segmentSchema.partial({ id: true }),
  }),
  'GET /api/segments/{id}/members': segments("A page of a segment's members", { query: membersQuery }),
  'GET /api/reports/kpis': reports('KPIs for a period (default: the last 30 days)', { query: kpiQuerySchema }),
  'GET /api/reports/journeys': reports('The report of every journey version'),
  'GET /api/users': users('List users'),
  'POST /api/users': users('Invite a user with a role', {
    body: createUserSchema,
    answers: { 201: '`{user, invitation: {url, expiresAt}}`: the link sets a password' },
  }),
  'GET /api/users/{userId}': users('Read a user'),
  'PATCH /api/users/{userId}': users("Change a user's name or role, sign them out, or invite them again", {
    body: updateUserSchema,
  }),
  'DELETE /api/users/{userId}': users('Delete a user (their tokens stop working)'),
  'GET /api/users/{userId}/tokens': users("List a user's personal tokens (never their secrets)"),
  'POST /api/users/{userId}/tokens': users("Create a personal token acting with the user's role", {
    body: createTokenSchema,
    answers: { 201: '`{token, ...}`: the token is shown in this answer only' },
  }),
  'POST /api/users/{userId}/tokens/{tokenId}/revoke': users('Revoke a personal token'),
  'GET /api/audit': group('Audit')('The audit log, newest first', { query: auditQuerySchema }),
  'POST /api/contacts/{contactId}/unsubscribe': group('Contacts')(
    "Record a person's request to leave a topic, or all marketing mail",
    { body: staffConsentSchema, answers: { 200: '`{contactId, topic, status, changed}`' } },
  ),
  'POST /api/contacts/{contactId}/resubscribe': group('Contacts')(
    "Record a person's request to rejoin a topic, or all marketing mail",
    { body: staffConsentSchema, answers: { 200: '`{contactId, topic, status, changed}`' } },
  ),
  'GET /api/contacts/{contactId}/export': privacy('Everything held about a person, as JSON'),
  'POST /api/contacts/{contactId}/erase': privacy('Erase a person: every item about them, everywhere', {
    answers: { 202: '`{requestId, status, requestedAt}`: follow it at /api/privacy/requests/{requestId}' },
  }),
  'GET /api/privacy/requests/{requestId}': privacy('A privacy request: running or done', {
    answers: { 200: '`{requestId, status: "running" | "done", requestedAt, doneAt?, removed?}`: counts only' },
  }),
  'GET /api/openapi.json': platform('This document'),
  'GET /unsubscribe': links('The unsubscribe confirmation page', { query: linkQuery, answers: page('The page') }),
  'POST /unsubscribe': links("Unsubscribe (the RFC 8058 one-click target and the page's button)", {
    query: linkQuery,
    form: oneClickForm,
    answers: page('The confirmation'),
  }),
  'GET /preferences': links('The preference centre', {
    query: linkQuery.omit({ topic: true }),
    answers: page('The page'),
  }),
  'POST /preferences': links('Save topic choices, or leave all marketing email', {
    query: linkQuery.omit({ topic: true }),
    form: preferencesForm,
    answers: page('The page, saved'),
  }),
  'GET /health': platform('Whether the app reaches its table', {
    answers: { 200: '`{status: "ok", services}`', 503: '`{status: "degraded", services}`: the table does not answer' },
  }),
};
