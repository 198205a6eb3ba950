import { topicById, topicStatuses } from '#contacts/consent.ts';
import type { ContactStore } from '#contacts/store.ts';

export type UnsubscribeOutcome = 'unsubscribed' | 'already' | 'missing' | 'unknown-topic';

/**
 * One-click unsubscribe. With a topic (the List-Unsubscribe link of a marketing email) the
 * contact leaves that topic; without one, all marketing mail. Recorded once on the timeline.
 */
export async function unsubscribe(
  store: ContactStore,
  req: { contactId: string; topic?: string; at: string; method: 'one-click' | 'link' },
): Promise<UnsubscribeOutcome> {
  const contact = await store.getContact(req.contactId);
  if (!contact) return 'missing';
  if (req.topic) {
    if (!topicById(req.topic)) return 'unknown-topic';
    if (contact.subscriptions?.[req.topic]?.status === 'unsubscribed') return 'already';
    await store.setSubscription(req.contactId, req.topic, { status: 'unsubscribed', at: req.at, source: req.method });
  } else if (!(await store.markUnsubscribed(req.contactId, req.at))) {
    return 'already';
  }
  await store.appendEvent({
    eventId: `contact.unsubscribed:${req.contactId}:${req.topic ?? 'all'}:${req.at}`,
    contactId: req.contactId,
    name: 'contact.unsubscribed',
    at: req.at,
    data: { topic: req.topic ?? 'all', method: req.method },
  });
  return 'unsubscribed';
}

export interface PreferenceChoice {
  /** Topic id → wants it. Topics left out keep their state. */
  topics: Record<string, boolean>;
  /** Leave all marketing mail. */
  all: boolean;
}

/** Applies the preference centre's form; every change is recorded on the timeline. */
export async function updatePreferences(
  store: ContactStore,
  req: { contactId: string; choice: PreferenceChoice; at: string },
): Promise<{ changed: string[] } | 'missing'> {
  const contact = await store.getContact(req.contactId);
  if (!contact) return 'missing';
  const changed: string[] = [];
  for (const { topic, subscribed } of topicStatuses(contact)) {
    const wanted = req.choice.topics[topic.id];
    if (wanted === undefined || wanted === subscribed) continue;
    await store.setSubscription(req.contactId, topic.id, {
      status: wanted ? 'subscribed' : 'unsubscribed',
      at: req.at,
      source: 'preference-centre',
    });
    changed.push(`${topic.id}:${wanted ? 'subscribed' : 'unsubscribed'}`);
  }
  const wasOut = Boolean(contact.unsubscribedAt);
  if (req.choice.all !== wasOut) {
    await store.setGlobalUnsubscribe(req.contactId, req.choice.all ? req.at : null, req.at);
    changed.push(`all:${req.choice.all ? 'unsubscribed' : 'subscribed'}`);
  }
  if (changed.length > 0) {
    const leaving = changed.filter((c) => c.endsWith(':unsubscribed'));
    await store.appendEvent({
      eventId: `${leaving.length > 0 ? 'contact.unsubscribed' : 'contact.updated'}:${req.contactId}:preferences:${req.at}`,
      contactId: req.contactId,
      name: leaving.length > 0 ? 'contact.unsubscribed' : 'contact.updated',
      at: req.at,
      data: { method: 'preference-centre', changes: changed },
    });
  }
  return { changed };
}
