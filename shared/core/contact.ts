/** Canonical event names; timeline entries, routing and reports key on them. */
export const EVENT_NAMES = [
  'contact.created',
  'contact.updated',
  'form.submitted',
  'checkout.started',
  'order.placed',
  'order.refunded',
  'subscription.started',
  'subscription.cancelled',
  'payment.failed',
  'nps.responded',
  'email.sent',
  'email.skipped',
  'email.deferred',
  'email.delivered',
  'email.opened',
  'email.clicked',
  'email.bounced',
  'email.complained',
  'contact.unsubscribed',
  'contact.merged',
  'journey.entered',
  'journey.converted',
  'journey.exited',
  'journey.repaired',
  'segment.entered',
  'segment.exited',
] as const;

export type EventName = (typeof EVENT_NAMES)[number];

import type { PropertyValue } from './canonical-event.ts';

export type SubscriptionStatus = 'subscribed' | 'unsubscribed';

/** A contact's choice about one subscription topic (see consent.ts). */
export interface Subscription {
  status: SubscriptionStatus;
  at: string;
  /** How the choice was made: one-click header, preference centre, import, API. */
  source: string;
}

/** The scores kept on the contact, for conditions and segments (computed in scores.ts). */
export type StoredScores = {
  /** RFM segment: champion, loyal, at risk, new, promising, needs attention, hibernating, prospect. */
  rfm: string;
  /** low, medium, high, or "not a customer". */
  churnRisk: string;
  leadScore: number;
  loyaltyTier: string;
};

/** The names of the stored scores, as rules read them (`scores.<name>`). */
export const STORED_SCORE_NAMES = [
  'rfm',
  'churnRisk',
  'leadScore',
  'loyaltyTier',
] as const satisfies readonly (keyof StoredScores)[];

/** Where a profile value came from: the source (or import, or API key) and the event time. */
export interface Provenance {
  source: string;
  at: string;
}

/** Ids from stores and apps that resolve to the contact; each resolves to one contact only. */
export interface ExternalIds {
  shopifyCustomerId?: string;
  stripeCustomerId?: string;
  wooCustomerId?: string;
  userId?: string;
}

export interface Contact {
  contactId: string;
  /** Normalised; absent for an anonymous contact (known only by an anonymousId). */
  email?: string;
  /** E.164. */
  phone?: string;
  externalIds?: ExternalIds;
  /** Device or browser ids seen before the person was identified, and merged ones. */
  anonymousIds?: string[];
  firstName?: string;
  lastName?: string;
  properties: Record<string, PropertyValue>;
  /** For each of firstName, lastName and every property key: where and when it was set. */
  provenance?: Record<string, Provenance>;
  /** Optimistic-concurrency counter for profile and identity changes. */
  version?: number;
  /** Set on an anonymous contact merged into an identified one; reads follow it. */
  mergedInto?: string;
  createdAt: string;
  updatedAt: string;
  /** The inbox record whose processing created this contact; makes creation replay-safe. */
  createdBy: string;
  /** Set when the contact left all marketing mail. */
  unsubscribedAt?: string;
  /** Topic choices; a topic missing here follows its default. */
  subscriptions?: Record<string, Subscription>;
  /** BCP 47 tag chosen for templates, e.g. "fr-CA". */
  locale?: string;
  /** IANA time zone for quiet hours, e.g. "Europe/Paris". */
  timeZone?: string;
  /** Labels set by journeys, imports or people, e.g. "vip", "churn-risk". */
  tags?: string[];
  /** When each kind of event last happened to the contact (inactivity triggers read it). */
  lastEventAt?: Record<string, string>;
  /** Lifecycle scores kept current on events and as time passes; rules read them as `scores.<name>`. */
  scores?: StoredScores;
  scoresAt?: string;
  /** The profile `version` the scores were computed from (a profile change makes them stale). */
  scoresVersion?: number;
}

export interface TimelineEvent {
  /** Deterministic id: the same cause always yields the same id, so replays write nothing new. */
  eventId: string;
  contactId: string;
  name: EventName;
  at: string;
  data: Record<string, unknown>;
  /**
   * Set on the copy an identified contact gets of an anonymous contact's event when the two are
   * merged: the anonymous contact's id. The event was counted there; its copy is not counted again.
   */
  mergedFrom?: string;
}

/**
 * How an enrollment stands. `holdout`: the contact entered but was kept out as a control group
 * (no execution runs; conversions still count, for lift). `exited`: ended early by an exit
 * rule, the goal or an operator.
 */
export type EnrollmentStatus = 'active' | 'completed' | 'exited' | 'failed' | 'holdout';

/** The kinds of trigger that enroll a contact: a journey's trigger types. */
export const ENROLLMENT_TRIGGER_TYPES = ['event', 'date', 'inactivity', 'schedule', 'segment'] as const;

export type EnrollmentTriggerType = (typeof ENROLLMENT_TRIGGER_TYPES)[number];

/** What enrolled the contact: an event, or a date, inactivity, schedule or segment trigger firing. */
export interface EnrollmentTrigger {
  type: EnrollmentTriggerType;
  /** The timeline event id, or a deterministic id for the other kinds (one per firing). */
  eventId: string;
  /** The event name (event triggers). */
  name?: string;
  /** When the trigger happened (the event's time, or the firing time). */
  at: string;
  /** The value of the trigger's correlation key in the event (e.g. the cart id). */
  correlation?: string | null;
}

export interface Conversion {
  at: string;
  /** The goal event, or the goal node reached. */
  goal: string;
  eventId?: string;
  nodeId?: string;
  /** Revenue the converting event carried (an order's total). */
  revenue?: { amountMinor: number; currency: string };
}

export interface Enrollment {
  enrollmentId: string;
  contactId: string;
  journeyId: string;
  journeyVersion: number;
  triggerEventId: string;
  trigger?: EnrollmentTrigger;
  status: EnrollmentStatus;
  enteredAt: string;
  endedAt?: string;
  /** Why it ended: completed, failed, converted, exit-rule, stopped. */
  exitReason?: string;
  /** The node it ended at, when known. */
  exitNodeId?: string;
  conversion?: Conversion;
  executionArn?: string;
}
