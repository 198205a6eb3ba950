import type { ContactStore } from '#contacts/store.ts';
import { interpretSesEvent, type SesEventRecord } from './ses-events.ts';
import type { MessageStore, SendStore, SuppressionStore } from './store.ts';

export interface EmailEventOutcome {
  messageId: string;
  eventType: SesEventRecord['eventType'];
  timeline: number;
  suppressed: string[];
  confirmedSend: boolean;
  unknownRecipients: string[];
}

/**
 * Applies one SES event: timeline entries (delivered, opened, clicked, bounced, complained),
 * suppression of hard-bounced and complaining addresses, and the Send event as proof that SES
 * accepted a message. Replays write nothing new: every write is keyed by the event.
 */
export async function recordEmailEvent(
  deps: { store: ContactStore & SendStore & SuppressionStore & MessageStore },
  record: SesEventRecord,
): Promise<EmailEventOutcome> {
  const { store } = deps;
  const { messageId, sendKey: taggedKey, contactId: taggedContact, effects } = interpretSesEvent(record);
  const ref = taggedContact && taggedKey ? undefined : await store.getMessageRef(messageId);
  const knownContact = taggedContact ?? ref?.contactId;
  const sendKey = taggedKey ?? ref?.sendKey;
  const outcome: EmailEventOutcome = {
    messageId,
    eventType: record.eventType,
    timeline: 0,
    suppressed: [],
    confirmedSend: false,
    unknownRecipients: [],
  };
  for (const effect of effects) {
    const contactId = knownContact ?? (await store.findContactIdByEmail(effect.email));
    if (effect.suppress) {
      const added = await store.putSuppression({
        email: effect.email,
        reason: effect.suppress,
        at: record.mail.timestamp,
        messageId,
      });
      if (added) outcome.suppressed.push(effect.email);
    }
    if (!contactId) {
      outcome.unknownRecipients.push(effect.email);
      continue;
    }
    if (effect.confirmsSend && sendKey) {
      await store.markSent(contactId, sendKey, messageId, record.mail.timestamp);
      outcome.confirmedSend = true;
    }
    if (effect.timeline) {
      // Only while the contact exists: an event arriving after the person was erased (an open
      // days later) must not bring their contact id back.
      const appended = await store.appendEvent(
        {
          eventId: `${effect.timeline.name}:${messageId}:${effect.timeline.key}`,
          contactId,
          name: effect.timeline.name,
          at: effect.timeline.at,
          data: { ...effect.timeline.data, ...(effect.suppress ? { suppressed: true } : {}) },
        },
        { onlyIfContact: true },
      );
      if (appended === 'appended') outcome.timeline++;
    }
  }
  return outcome;
}
