import * as z from 'zod';
import { conditionSchema, eventWindowSchema, filterSchema, matchSchema, scalarSchema } from './condition.schema.ts';
import { frequencyCapSchema, quietHoursSchema } from './send-limits.ts';
import { durationSchema, offsetSchema, timeOfDaySchema, weekdaySchema } from './time.schema.ts';
import { triggerSchema } from './trigger.schema.ts';

/**
 * The journey language, version 1: a JSON document marketing ops write (or an editor writes
 * for them), checked by these schemas (its triggers in `trigger.schema.ts`, its conditions in
 * `condition.schema.ts`, its times in `time.schema.ts`), then by `validate.ts` for what a schema
 * cannot say (dangling successors, loops without a wait, unknown templates...).
 *
 * Node type strings and trigger/condition kinds are permanent once stored: a later language
 * version adds types, it never renames them. Every type declared here is compiled
 * (`compile.ts`), simulated (`simulate/`) and run (`shared/journeys/step.ts`).
 */

export const nodeIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,62}$/, 'node ids are lowercase words joined by hyphens, e.g. "welcome-email"');

// ---------------------------------------------------------------------------------------------
// Nodes

const next = nodeIdSchema;

export const waitNodeSchema = z.object({ type: z.literal('wait'), duration: durationSchema, next }).strict();

export const waitUntilNodeSchema = z
  .object({
    type: z.literal('wait-until'),
    until: z.union([
      /** The next time the contact's clock shows `time` on one of `weekdays` (any day when empty). */
      z.object({ time: timeOfDaySchema, weekdays: z.array(weekdaySchema).max(7).default([]) }).strict(),
      /** A date on the contact ± an offset; a date already past (or missing) goes on at once. */
      z
        .object({
          property: z.string().min(1).max(200),
          offset: offsetSchema.default({}),
          time: timeOfDaySchema.optional(),
        })
        .strict(),
    ]),
    next,
  })
  .strict();

export const waitForEventNodeSchema = z
  .object({
    type: z.literal('wait-for-event'),
    event: z.string().min(1).max(100),
    where: z.array(filterSchema).max(20).default([]),
    /** Only an event whose `correlationKey` value equals the trigger's (the same cart). */
    correlate: z.boolean().default(false),
    /** Count events since the contact entered the journey, or only from when this wait starts. */
    since: z.enum(['wait-start', 'entry']).default('wait-start'),
    timeout: durationSchema,
    next,
    onTimeout: nodeIdSchema,
  })
  .strict();

export const branchNodeSchema = z
  .object({
    type: z.literal('branch'),
    match: matchSchema.default('all'),
    conditions: z.array(conditionSchema).min(1).max(20),
    onTrue: nodeIdSchema,
    onFalse: nodeIdSchema,
  })
  .strict();

export const splitNodeSchema = z
  .object({
    type: z.literal('split'),
    /** The first branch whose conditions hold is taken; `else` when none does. */
    branches: z
      .array(
        z
          .object({
            name: z.string().min(1).max(100),
            match: matchSchema.default('all'),
            conditions: z.array(conditionSchema).min(1).max(20),
            next,
          })
          .strict(),
      )
      .min(1)
      .max(10),
    else: nodeIdSchema,
  })
  .strict();

export const randomSplitNodeSchema = z
  .object({
    type: z.literal('random-split'),
    /** Percentages summing to 100; a contact's branch is fixed by its enrollment id. */
    branches: z
      .array(z.object({ name: z.string().min(1).max(100), percent: z.number().int().min(1).max(99), next }).strict())
      .min(2)
      .max(10),
  })
  .strict();

export const sendEmailNodeSchema = z
  .object({
    type: z.literal('send-email'),
    /** Template id from the template catalogue. */
    template: z.string().min(1).max(100),
    /** Subscription topic the consent check uses; the template's own topic when absent. */
    topic: z.string().min(1).max(100).optional(),
    next,
  })
  .strict();

const propertyKey = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,99}$/, 'a property key is letters, digits and _');

export const contactChangeSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('set'), property: propertyKey, value: scalarSchema }).strict(),
  /** Copies a value from the triggering event's data. */
  z.object({ op: z.literal('set-from-trigger'), property: propertyKey, path: z.string().min(1).max(200) }).strict(),
  z.object({ op: z.literal('unset'), property: propertyKey }).strict(),
  z.object({ op: z.literal('increment'), property: propertyKey, by: z.number() }).strict(),
  /**
   * Sets a property from the contact's events: how many, or the sum of a data path, divided and
   * rounded down (e.g. loyalty points = sum of order totals in minor units / 100).
   */
  z
    .object({
      op: z.literal('set-from-events'),
      property: propertyKey,
      event: z.string().min(1).max(100),
      where: z.array(filterSchema).max(20).default([]),
      aggregate: z.enum(['count', 'sum']),
      path: z.string().min(1).max(200).optional(),
      within: eventWindowSchema.default('all-time'),
      divideBy: z.number().positive().default(1),
    })
    .strict(),
  z.object({ op: z.literal('add-tag'), tag: z.string().min(1).max(100) }).strict(),
  z.object({ op: z.literal('remove-tag'), tag: z.string().min(1).max(100) }).strict(),
]);

export const updateContactNodeSchema = z
  .object({ type: z.literal('update-contact'), changes: z.array(contactChangeSchema).min(1).max(20), next })
  .strict();

export const webhookNodeSchema = z
  .object({
    type: z.literal('webhook'),
    /** An outbound endpoint id (`tend endpoints list`); the delivery is signed with its secret. */
    endpoint: z.string().min(1).max(100),
    next,
  })
  .strict();

export const notifyOwnerNodeSchema = z
  .object({
    type: z.literal('notify-owner'),
    /** A task in the owner's list (`tend tasks list`), or an internal email. */
    channel: z.enum(['task', 'email']),
    /** For email: the recipient; TEND_OWNER_EMAIL when absent. */
    to: z.email().optional(),
    subject: z.string().min(1).max(200),
    /** Plain text; `{{ contact.email }}`, `{{ contact.firstName }}` and `{{ journey.name }}` are filled in. */
    message: z.string().min(1).max(4_000),
    next,
  })
  .strict();

export const goalNodeSchema = z
  .object({
    type: z.literal('goal'),
    /** What was achieved, shown in reports ("purchased"). */
    name: z.string().min(1).max(100),
    /** Where to go on; without it the enrollment ends here, converted. */
    next: nodeIdSchema.optional(),
  })
  .strict();

export const exitNodeSchema = z.object({ type: z.literal('exit') }).strict();

export const journeyNodeSchema = z.discriminatedUnion('type', [
  waitNodeSchema,
  waitUntilNodeSchema,
  waitForEventNodeSchema,
  branchNodeSchema,
  splitNodeSchema,
  randomSplitNodeSchema,
  sendEmailNodeSchema,
  updateContactNodeSchema,
  webhookNodeSchema,
  notifyOwnerNodeSchema,
  goalNodeSchema,
  exitNodeSchema,
]);

// ---------------------------------------------------------------------------------------------
// Settings

export const reentrySchema = z.discriminatedUnion('mode', [
  /** A contact enters once, ever. */
  z.object({ mode: z.literal('never') }).strict(),
  /** Again once `coolOff` has passed since the last entry. */
  z.object({ mode: z.literal('after-cool-off'), coolOff: durationSchema }).strict(),
  /** Again on every trigger, once the previous enrollment has ended. */
  z.object({ mode: z.literal('always') }).strict(),
]);

export const goalSettingsSchema = z
  .object({
    /** The event that counts as converting, e.g. `order.placed`. */
    event: z.string().min(1).max(100),
    where: z.array(filterSchema).max(20).default([]),
    /** Counted when it happens within this long of entering (the conversion window). */
    within: durationSchema,
    /** Leave the journey on converting (the default), or keep going. */
    exit: z.boolean().default(true),
  })
  .strict();

/**
 * Journey-wide rules. At most one enrollment per contact and journey is active at a time,
 * whatever the re-entry mode.
 */
export const journeySettingsSchema = z
  .object({
    reentry: reentrySchema.default({ mode: 'never' }),
    /** Most entries per contact over the journey's life. */
    maxEntries: z.number().int().min(1).max(10_000).optional(),
    /** The enrollment ends as soon as any holds: checked at every step and on every event. */
    exitWhen: z.array(conditionSchema).max(20).default([]),
    goal: goalSettingsSchema.optional(),
    quietHours: quietHoursSchema.optional(),
    /** Journey emails per contact, counted across every journey. */
    frequencyCap: frequencyCapSchema.optional(),
    /** Share of entering contacts kept out as a control group (by enrollment id). */
    holdoutPercent: z.number().int().min(0).max(50).default(0),
    /** Time zone of schedule triggers (contacts' own zones apply to everything else). */
    timeZone: z.string().min(1).max(64).default('UTC'),
  })
  .strict();

export const journeySchema = z
  .object({
    $schema: z.string().optional(),
    schemaVersion: z.literal(1),
    id: nodeIdSchema,
    name: z.string().min(1).max(200),
    description: z.string().max(2_000).default(''),
    /** Any one of them enrolls the contact. */
    triggers: z.array(triggerSchema).min(1).max(10),
    start: nodeIdSchema,
    nodes: z.record(nodeIdSchema, journeyNodeSchema),
    settings: journeySettingsSchema.default({
      reentry: { mode: 'never' },
      exitWhen: [],
      holdoutPercent: 0,
      timeZone: 'UTC',
    }),
  })
  .strict();

export type Journey = z.infer<typeof journeySchema>;
export type JourneyInput = z.input<typeof journeySchema>;
export type JourneyNode = z.infer<typeof journeyNodeSchema>;
export type NodeOf<T extends JourneyNode['type']> = Extract<JourneyNode, { type: T }>;
export type ContactChange = z.infer<typeof contactChangeSchema>;
export type JourneySettings = z.infer<typeof journeySettingsSchema>;
export type GoalSettings = z.infer<typeof goalSettingsSchema>;
