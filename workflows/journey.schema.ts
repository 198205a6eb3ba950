import { z } from 'zod';
import { frequencyCapSchema, quietHoursSchema } from '#domain/send-policy.ts';

/**
 * The journey document, first cut: an event trigger, emails, waits and an exit.
 * Node type strings are permanent once stored; a later language version adds types, it never
 * renames them.
 */

export const nodeIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,62}$/, 'node ids are lowercase words joined by hyphens, e.g. "welcome-email"');

const durationSchema = z
  .object({
    days: z.number().int().min(0).optional(),
    hours: z.number().int().min(0).optional(),
    minutes: z.number().int().min(0).optional(),
  })
  .strict()
  .refine((d) => (d.days ?? 0) + (d.hours ?? 0) + (d.minutes ?? 0) > 0, 'a wait must last at least one minute');

export const sendEmailNodeSchema = z
  .object({
    type: z.literal('send-email'),
    /** Template id from the template catalogue. */
    template: z.string().min(1),
    next: nodeIdSchema,
  })
  .strict();

export const waitNodeSchema = z
  .object({ type: z.literal('wait'), duration: durationSchema, next: nodeIdSchema })
  .strict();

export const exitNodeSchema = z.object({ type: z.literal('exit') }).strict();

export const journeyNodeSchema = z.discriminatedUnion('type', [sendEmailNodeSchema, waitNodeSchema, exitNodeSchema]);

export const eventTriggerSchema = z
  .object({
    type: z.literal('event'),
    event: z.string().min(1),
    /** Only a contact that this very event created enters. */
    newContactsOnly: z.boolean().default(false),
  })
  .strict();

/** Journey-wide rules for its emails; the frequency cap counts journey emails from every journey. */
export const journeySettingsSchema = z
  .object({
    quietHours: quietHoursSchema.optional(),
    frequencyCap: frequencyCapSchema.optional(),
  })
  .strict();

export const journeySchema = z
  .object({
    schemaVersion: z.literal(1),
    id: nodeIdSchema,
    name: z.string().min(1),
    description: z.string().default(''),
    trigger: eventTriggerSchema,
    start: nodeIdSchema,
    nodes: z.record(nodeIdSchema, journeyNodeSchema),
    settings: journeySettingsSchema.default({}),
  })
  .strict();

export type Journey = z.infer<typeof journeySchema>;
export type JourneyNode = z.infer<typeof journeyNodeSchema>;
export type Duration = z.infer<typeof durationSchema>;

/** Seconds in a duration. */
export const durationSeconds = (d: Duration): number =>
  (d.days ?? 0) * 86_400 + (d.hours ?? 0) * 3_600 + (d.minutes ?? 0) * 60;
