import { assertUnreachable } from '#core/assert.ts';
import type { JourneyNode } from './journey.schema.ts';
import type { Duration, Offset } from './time.schema.ts';

/**
 * Pure helpers over the journey language's types. They are apart from journey.schema.ts so that
 * importing them does not build the zod schemas: code that computes
 * with a journey already parsed, such as the send path, loads no schema it does not use.
 */

/** Seconds in a duration. */
export const durationSeconds = (d: Duration): number =>
  (d.days ?? 0) * 86_400 + (d.hours ?? 0) * 3_600 + (d.minutes ?? 0) * 60;

/** Milliseconds in an offset (may be negative). */
export const offsetMs = (o: Offset): number => ((o.days ?? 0) * 86_400 + (o.hours ?? 0) * 3_600) * 1000;

/** Every successor a node names, with the field that names it. */
export function successorsOf(node: JourneyNode): { field: string; id: string }[] {
  switch (node.type) {
    case 'wait':
    case 'wait-until':
    case 'send-email':
    case 'update-contact':
    case 'webhook':
    case 'notify-owner':
      return [{ field: 'next', id: node.next }];
    case 'wait-for-event':
      return [
        { field: 'next', id: node.next },
        { field: 'onTimeout', id: node.onTimeout },
      ];
    case 'branch':
      return [
        { field: 'onTrue', id: node.onTrue },
        { field: 'onFalse', id: node.onFalse },
      ];
    case 'split':
      return [
        ...node.branches.map((b, i) => ({ field: `branches[${i}].next`, id: b.next })),
        { field: 'else', id: node.else },
      ];
    case 'random-split':
      return node.branches.map((b, i) => ({ field: `branches[${i}].next`, id: b.next }));
    case 'goal':
      return node.next ? [{ field: 'next', id: node.next }] : [];
    case 'exit':
      return [];
    default:
      return assertUnreachable(node);
  }
}

/** Node types that let journey time pass (a loop must contain one). */
export const WAITING_TYPES: ReadonlySet<JourneyNode['type']> = new Set(['wait', 'wait-until', 'wait-for-event']);

/**
 * The node types the journey-step function runs: the `action` of a compiled step Task. The
 * others compile to a plain Wait (`wait`) or call their own function (`send-email`, `exit`).
 */
export const STEP_ACTIONS = [
  'wait-until',
  'wait-for-event',
  'branch',
  'split',
  'random-split',
  'update-contact',
  'webhook',
  'notify-owner',
  'goal',
] as const satisfies readonly JourneyNode['type'][];

export type StepAction = (typeof STEP_ACTIONS)[number];

/** Decisions a step evaluates in a function, then follows with a Choice. */
export const DECISION_TYPES = ['branch', 'split', 'random-split'] as const satisfies readonly StepAction[];

export type DecisionType = (typeof DECISION_TYPES)[number];
