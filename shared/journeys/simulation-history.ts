import type { Contact, TimelineEvent } from '#core/contact.ts';
import type { TendStore } from '#platform/store.ts';

/** A past event: on the timeline, in the last-event times, and (sends of other journeys) in the frequency cap. */
export async function seedEvent(store: TendStore, event: TimelineEvent, journeyId: string, contact: Contact) {
  await store.appendEvent(event);
  await applyConsent(store, contact, event);
  await store.touchLastEvents(event.contactId, { [event.name]: event.at });
  const data = event.data as {
    enrollmentId?: unknown;
    nodeId?: unknown;
    template?: unknown;
    journeyId?: unknown;
    messageId?: unknown;
  };
  if (event.name === 'email.sent' && data.journeyId !== journeyId && typeof data.enrollmentId === 'string') {
    const sendKey = `${data.enrollmentId}#${String(data.nodeId)}`;
    await store.claimSend({
      contactId: event.contactId,
      sendKey,
      kind: 'journey',
      template: String(data.template),
      claimedAt: event.at,
    });
    await store.markSent(event.contactId, sendKey, String(data.messageId ?? sendKey), event.at);
  }
}

/** Unsubscribes and suppressions in the events take effect, as they did for real. */
export async function applyConsent(store: TendStore, contact: Contact, event: TimelineEvent) {
  if (event.name === 'contact.unsubscribed') {
    const topic = typeof event.data.topic === 'string' ? event.data.topic : 'all';
    if (topic === 'all') await store.markUnsubscribed(contact.contactId, event.at);
    else
      await store.setSubscription(contact.contactId, topic, {
        status: 'unsubscribed',
        at: event.at,
        source: 'history',
      });
  } else if (
    contact.email &&
    (event.name === 'email.complained' || (event.name === 'email.bounced' && event.data.suppressed === true))
  ) {
    await store.putSuppression({
      email: contact.email,
      reason: event.name === 'email.complained' ? 'complaint' : 'bounce',
      at: event.at,
      messageId: String(event.data.messageId ?? event.eventId),
    });
  }
}
