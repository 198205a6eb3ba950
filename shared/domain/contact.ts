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
] as const;

export type EventName = (typeof EVENT_NAMES)[number];

import type { PropertyValue } from './canonical-event.ts';
import type { Subscription } from './consent.ts';

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
}

export interface TimelineEvent {
  /** Deterministic id: the same cause always yields the same id, so replays write nothing new. */
  eventId: string;
  contactId: string;
  name: EventName;
  at: string;
  data: Record<string, unknown>;
}

export type EnrollmentStatus = 'active' | 'completed' | 'failed';

export interface Enrollment {
  enrollmentId: string;
  contactId: string;
  journeyId: string;
  journeyVersion: number;
  triggerEventId: string;
  status: EnrollmentStatus;
  enteredAt: string;
  endedAt?: string;
  executionArn?: string;
}
