import * as z from 'zod';
import { propertyValueSchema } from '#core/canonical-event.ts';
import { EVENT_NAMES } from '#core/contact.ts';
import { emailSchema } from '#core/email-address.ts';

/** Request bodies of /api/journeys beyond the journey document itself. */

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
