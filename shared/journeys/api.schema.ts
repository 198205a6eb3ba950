import * as z from 'zod';
import { propertyValueSchema } from '#core/canonical-event.ts';
import { EVENT_NAMES } from '#core/contact.ts';
import { emailSchema } from '#core/email-address.ts';
import { journeySchema } from '#workflows/journey.schema.ts';

/** Request bodies of /api/journeys beyond the journey document itself, and the OpenAPI document. */

const isoTime = z.iso.datetime({ offset: true });
const DAY_MS = 86_400_000;

export const scriptedEventSchema = z
  .object({
    name: z.enum(EVENT_NAMES),
    at: isoTime,
    data: z.record(z.string(), z.unknown()).default({}),
    /** Optional stable id (defaults to sim-<n>). */
    id: z.string().min(1).max(200).optional(),
  })
  .strict();

export const simulatedContactSchema = z
  .object({
    email: emailSchema,
    firstName: z.string().max(100).optional(),
    lastName: z.string().max(100).optional(),
    locale: z.string().min(2).max(35).optional(),
    timeZone: z.string().min(1).max(64).optional(),
    properties: z.record(z.string().min(1).max(100), propertyValueSchema).default({}),
    tags: z.array(z.string().min(1).max(100)).max(100).default([]),
    /** When the contact was created; by default the first event created it. */
    createdAt: isoTime.optional(),
  })
  .strict();

export const simulateRequestSchema = z
  .object({
    /** A document to simulate instead of the journey's current draft. */
    document: z.unknown().optional(),
    contact: simulatedContactSchema,
    timeline: z.array(scriptedEventSchema).max(1_000),
    from: isoTime.optional(),
    /** Default: 90 days after the last event. */
    until: isoTime.optional(),
  })
  .strict();

export const backtestRequestSchema = z
  .object({
    document: z.unknown().optional(),
    from: isoTime,
    to: isoTime,
    /** Stop after this many contacts (the report says it was truncated). */
    maxContacts: z.number().int().min(1).max(1_000_000).default(100_000),
    /** How many contact paths to include as examples. */
    samples: z.number().int().min(0).max(20).default(3),
  })
  .strict()
  .refine((r) => Date.parse(r.from) < Date.parse(r.to), { message: '"from" must be before "to"', path: ['to'] })
  .refine((r) => Date.parse(r.to) - Date.parse(r.from) <= 366 * DAY_MS, {
    message: 'a backtest covers at most 366 days',
    path: ['to'],
  });

export type SimulateRequest = z.infer<typeof simulateRequestSchema>;
export type BacktestRequest = z.infer<typeof backtestRequestSchema>;

const errorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });

/** The OpenAPI 3.1 document of the journeys API, generated from the same zod schemas the handler uses. */
export function journeysOpenApi(serverUrl: string) {
  const json = (s: z.ZodType, description: string) => ({
    description,
    content: { 'application/json': { schema: schema(s) } },
  });
  const problem = { ...json(errorSchema, 'Refused: the message and details name the problem') };
  const id = { name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: 'Journey id' };
  const ok = (description: string) => ({
    description,
    content: { 'application/json': { schema: { type: 'object' } } },
  });
  const op = (summary: string, extra: Record<string, unknown> = {}) => ({
    summary,
    security: [{ admin: [] }],
    responses: { 200: ok(summary), 401: problem, 404: problem, 409: problem, 422: problem },
    ...extra,
  });
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tend journeys API',
      version: '1',
      description:
        'Draft → validate → publish → pause → archive. Publishing makes a new Step Functions version; contacts inside finish on the version they entered.',
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: { admin: { type: 'http', scheme: 'bearer', description: 'The admin token' } },
      schemas: { Journey: schema(journeySchema) },
    },
    paths: {
      '/api/journeys': { get: op('List journeys (saved, published and built-in)') },
      '/api/journeys/validate': {
        post: op('Validate a document without saving it', { requestBody: json(journeySchema, 'A journey document') }),
      },
      '/api/journeys/{id}': {
        get: op('Read a journey: status, working draft with its violations, live version', { parameters: [id] }),
        put: op('Save a draft revision (If-Match: <revision> guards against lost updates)', {
          parameters: [id, { name: 'If-Match', in: 'header', schema: { type: 'string' } }],
          requestBody: json(journeySchema, 'A journey document'),
        }),
      },
      '/api/journeys/{id}/validate': {
        post: op('Validate the working draft; reports the transitions each path costs', { parameters: [id] }),
      },
      '/api/journeys/{id}/publish': {
        post: {
          ...op('Publish the working draft as a new version and make it live', { parameters: [id] }),
          responses: { 201: ok('The version'), 401: problem, 404: problem, 409: problem, 422: problem },
        },
      },
      '/api/journeys/{id}/pause': { post: op('Stop new entries (contacts inside go on)', { parameters: [id] }) },
      '/api/journeys/{id}/resume': { post: op('Take new entries again', { parameters: [id] }) },
      '/api/journeys/{id}/archive': {
        post: op('Retire the journey for good (contacts inside go on)', { parameters: [id] }),
      },
      '/api/journeys/{id}/versions': {
        get: op('Published versions, newest first, with who, when and a readable diff', { parameters: [id] }),
      },
      '/api/journeys/{id}/versions/{version}': {
        get: op('One version: its document and compiled ASL', {
          parameters: [id, { name: 'version', in: 'path', required: true, schema: { type: 'integer' } }],
        }),
      },
      '/api/journeys/{id}/simulate': {
        post: op('Run one contact with a scripted timeline through the journey on a virtual clock', {
          parameters: [id],
          requestBody: json(simulateRequestSchema, 'The contact, its timeline and optionally a document'),
        }),
      },
      '/api/journeys/{id}/backtest': {
        post: op('Replay the stored events of a period through the journey', {
          parameters: [id],
          requestBody: json(backtestRequestSchema, 'The period and optionally a document'),
        }),
      },
      '/api/tasks': { get: op('The owner’s tasks from notify-owner steps (?status=open|done)') },
      '/api/tasks/{id}/done': { post: op('Mark a task done', { parameters: [{ ...id, description: 'Task id' }] }) },
    },
  };
}
