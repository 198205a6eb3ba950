import type { Contact } from '#core/contact.ts';

/**
 * Subscription topics: what a marketing email is about, and what a contact can opt out of
 * without leaving everything. Transactional mail (receipts, password resets) ignores topic and
 * marketing opt-outs; only suppression (hard bounces, complaints) stops it.
 */
export interface Topic {
  id: string;
  name: string;
  description: string;
  /** Whether a contact who never chose receives it (opt-out topics) or not (opt-in topics). */
  defaultSubscribed: boolean;
}

export const TOPICS: readonly Topic[] = [
  {
    id: 'product-news',
    name: 'Product news and tips',
    description: 'Getting started, new features and how to make the most of your account.',
    defaultSubscribed: true,
  },
  {
    id: 'offers',
    name: 'Offers and promotions',
    description: 'Discounts, sales and reminders about items you left behind.',
    defaultSubscribed: true,
  },
];

export const topicById = (id: string): Topic | undefined => TOPICS.find((t) => t.id === id);

export type MessageKind = 'marketing' | 'transactional';

export type ConsentCheck =
  | { allowed: true }
  | { allowed: false; reason: 'unsubscribed' | 'topic-unsubscribed' | 'unknown-topic' };

/** Whether a contact's consent allows a message of this kind and topic. Suppression is separate. */
export function consentAllows(
  contact: Pick<Contact, 'unsubscribedAt' | 'subscriptions'>,
  kind: MessageKind,
  topicId: string | undefined,
): ConsentCheck {
  if (kind === 'transactional') return { allowed: true };
  if (contact.unsubscribedAt) return { allowed: false, reason: 'unsubscribed' };
  const topic = topicId ? topicById(topicId) : undefined;
  if (!topic) return { allowed: false, reason: 'unknown-topic' };
  const choice = contact.subscriptions?.[topic.id]?.status;
  const subscribed = choice ? choice === 'subscribed' : topic.defaultSubscribed;
  return subscribed ? { allowed: true } : { allowed: false, reason: 'topic-unsubscribed' };
}

/** Every topic with the contact's effective status, for the preference centre. */
export function topicStatuses(contact: Pick<Contact, 'unsubscribedAt' | 'subscriptions'>) {
  return TOPICS.map((topic) => {
    const choice = contact.subscriptions?.[topic.id]?.status;
    return { topic, subscribed: choice ? choice === 'subscribed' : topic.defaultSubscribed };
  });
}
