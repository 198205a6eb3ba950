import * as z from 'zod';
import { durationSchema } from './time.schema.ts';

/**
 * Tests a journey makes: filters on an event's data and conditions on the contact. Branches,
 * splits, exit rules, schedule audiences and segments share them.
 */

/** Segment ids name a segment in URLs and rules: lowercase words joined by hyphens. */
export const segmentIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,62}$/, 'segment ids are lowercase words joined by hyphens, e.g. "repeat-buyers"');

/** A value a rule compares with or a contact change sets. */
export const scalarSchema = z.union([z.string().max(2_000), z.number(), z.boolean(), z.null()]);

export const COMPARISONS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'exists', 'not-exists', 'contains', 'in'] as const;

/**
 * A test on one value, found by a dot path (`total.amountMinor`, `fields.plan`). `exists` and
 * `not-exists` take no value; `in` takes a list; `contains` looks inside a string or a list.
 */
export const filterSchema = z
  .object({
    path: z.string().min(1).max(200),
    op: z.enum(COMPARISONS),
    value: z.union([scalarSchema, z.array(scalarSchema).max(100)]).optional(),
  })
  .strict();

/** Which events count: all of them, those since the contact entered, or a recent window. */
export const eventWindowSchema = z.union([z.literal('all-time'), z.literal('since-entry'), durationSchema]);

const countSchema = z
  .object({ op: z.enum(['eq', 'gt', 'gte', 'lt', 'lte']), value: z.number().int().min(0).max(1_000_000) })
  .strict();

/**
 * A condition on the contact: a profile value (`email`, `firstName`, `locale`, `timeZone`,
 * `createdAt` or `properties.<key>`), a tag, how many times an event happened in a window, or
 * what the triggering event was.
 */
export const conditionSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('property'),
      property: z.string().min(1).max(200),
      op: z.enum(COMPARISONS),
      value: z.union([scalarSchema, z.array(scalarSchema).max(100)]).optional(),
    })
    .strict(),
  z.object({ kind: z.literal('tag'), tag: z.string().min(1).max(100), has: z.boolean().default(true) }).strict(),
  z
    .object({
      kind: z.literal('event'),
      event: z.string().min(1).max(100),
      where: z.array(filterSchema).max(20).default([]),
      count: countSchema.default({ op: 'gte', value: 1 }),
      within: eventWindowSchema.default('all-time'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('trigger'),
      /** The triggering event's name (an event trigger), or the trigger type for the others. */
      event: z.string().min(1).max(100).optional(),
      where: z.array(filterSchema).max(20).default([]),
    })
    .strict(),
  /** Whether the contact is (or is not) a member of a segment now. */
  z.object({ kind: z.literal('segment'), segment: segmentIdSchema, in: z.boolean().default(true) }).strict(),
]);

export const matchSchema = z.enum(['all', 'any']);

export type Condition = z.infer<typeof conditionSchema>;
export type Filter = z.infer<typeof filterSchema>;
export type EventWindow = z.infer<typeof eventWindowSchema>;
