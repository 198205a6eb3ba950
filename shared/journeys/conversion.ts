import type { Enrollment, TimelineEvent } from '#core/contact.ts';
import { matchesFilters } from '#workflows/conditions.ts';
import type { Journey } from '#workflows/journey.schema.ts';
import { durationSeconds } from '#workflows/journey-nodes.ts';
import { entryTime } from './context.ts';
import type { EnrollmentStore } from './store.ts';

/**
 * Goals: whether an event reaches a journey's goal for an enrollment, and its conversion recorded
 * once (routing, on the event; the step, on a wait's event or a goal node).
 */

type JourneyGoal = NonNullable<Journey['settings']['goal']>;

/** Whether `event` reaches the journey's goal for this enrollment: its event, in its window, after entry. */
export function goalConverts(
  goal: JourneyGoal,
  enrollment: Pick<Enrollment, 'conversion' | 'triggerEventId' | 'enteredAt' | 'trigger'>,
  event: Pick<TimelineEvent, 'name' | 'eventId' | 'at' | 'data'>,
): boolean {
  const start = Date.parse(entryTime(enrollment));
  const at = Date.parse(event.at);
  return (
    !enrollment.conversion &&
    event.name === goal.event &&
    event.eventId !== enrollment.triggerEventId &&
    at >= start &&
    at <= start + durationSeconds(goal.within) * 1000 &&
    matchesFilters(event.data, goal.where)
  );
}

/** The journey's goal reached by `event`: the conversion carries the event (its revenue). */
export function convertOn(
  deps: { store: Pick<EnrollmentStore, 'markConverted'> },
  enrollment: Pick<Enrollment, 'contactId' | 'enrollmentId' | 'journeyId' | 'journeyVersion' | 'status'>,
  goal: JourneyGoal,
  event: Pick<TimelineEvent, 'eventId' | 'at' | 'data'>,
): Promise<boolean> {
  return recordConversion(deps, enrollment, {
    goal: goal.event,
    at: event.at,
    eventId: event.eventId,
    data: event.data,
  });
}

/** Records an enrollment's first conversion with its `journey.converted` timeline entry. */
export async function recordConversion(
  deps: { store: Pick<EnrollmentStore, 'markConverted'> },
  enrollment: Pick<Enrollment, 'contactId' | 'enrollmentId' | 'journeyId' | 'journeyVersion' | 'status'>,
  conversion: { goal: string; at: string; eventId?: string; nodeId?: string; data?: Record<string, unknown> },
): Promise<boolean> {
  const total = conversion.data?.total as { amountMinor?: unknown; currency?: unknown } | undefined;
  const revenue =
    total && typeof total.amountMinor === 'number' && typeof total.currency === 'string'
      ? { amountMinor: total.amountMinor, currency: total.currency }
      : undefined;
  return deps.store.markConverted(
    enrollment.contactId,
    enrollment.enrollmentId,
    {
      at: conversion.at,
      goal: conversion.goal,
      ...(conversion.eventId ? { eventId: conversion.eventId } : {}),
      ...(conversion.nodeId ? { nodeId: conversion.nodeId } : {}),
      ...(revenue ? { revenue } : {}),
    },
    {
      eventId: `journey.converted:${enrollment.enrollmentId}`,
      contactId: enrollment.contactId,
      name: 'journey.converted',
      at: conversion.at,
      data: {
        journeyId: enrollment.journeyId,
        journeyVersion: enrollment.journeyVersion,
        enrollmentId: enrollment.enrollmentId,
        goal: conversion.goal,
        ...(enrollment.status === 'holdout' ? { holdout: true } : {}),
        ...(revenue ? { revenue } : {}),
      },
    },
  );
}
