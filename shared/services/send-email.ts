import type { TimelineEvent } from '#domain/contact.ts';
import { renderTemplate, type TemplateId } from '#domain/templates.ts';
import { unsubscribeUrl } from '#domain/unsubscribe-link.ts';
import type { Clock } from '#ports/clock.ts';
import type { MailSender } from '#ports/mail.ts';
import type { ContactStore, SendStore } from '#ports/store.ts';

export interface JourneyEmailRequest {
  contactId: string;
  enrollmentId: string;
  journeyId: string;
  nodeId: string;
  template: TemplateId;
}

export interface SendSettings {
  from: string;
  publicUrl: string;
  postalAddress: string;
  linkSecret: string;
  configurationSet?: string;
}

export type SendOutcome =
  | { status: 'sent'; messageId: string }
  | { status: 'already-sent'; messageId: string }
  | { status: 'skipped'; reason: 'unsubscribed' | 'contact-missing' };

/**
 * Sends one journey email. A send is claimed per (enrollment, node) before SES is called and
 * marked sent after, so a retried task never sends a second time once the first send is
 * recorded. (A crash between SES accepting and the mark can still resend; closing that window
 * is part of the messaging work.)
 */
export async function sendJourneyEmail(
  deps: { store: ContactStore & SendStore; mail: MailSender; clock: Clock; settings: SendSettings },
  req: JourneyEmailRequest,
): Promise<SendOutcome> {
  const contact = await deps.store.getContact(req.contactId);
  if (!contact) return { status: 'skipped', reason: 'contact-missing' };
  const step = { journeyId: req.journeyId, enrollmentId: req.enrollmentId, nodeId: req.nodeId, template: req.template };
  const now = deps.clock.now().toISOString();

  if (contact.unsubscribedAt) {
    await deps.store.appendEvent({
      eventId: `email.skipped:${req.enrollmentId}:${req.nodeId}`,
      contactId: contact.contactId,
      name: 'email.skipped',
      at: now,
      data: { ...step, reason: 'unsubscribed' },
    });
    return { status: 'skipped', reason: 'unsubscribed' };
  }

  const sendKey = `${req.enrollmentId}#${req.nodeId}`;
  const claim = await deps.store.claimSend(contact.contactId, sendKey, now);
  if (claim.outcome === 'sent' && claim.record.status === 'sent' && claim.record.messageId) {
    await recordSent(deps.store, contact.contactId, step, claim.record.messageId, claim.record.sentAt ?? now);
    return { status: 'already-sent', messageId: claim.record.messageId };
  }

  const link = unsubscribeUrl(deps.settings.publicUrl, deps.settings.linkSecret, contact.contactId);
  const rendered = renderTemplate(req.template, {
    contact,
    unsubscribeUrl: link,
    postalAddress: deps.settings.postalAddress,
  });
  const { messageId } = await deps.mail.send({
    from: deps.settings.from,
    to: contact.email,
    ...rendered,
    headers: [
      { name: 'List-Unsubscribe', value: `<${link}>` },
      { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
    ],
  });
  const sentAt = deps.clock.now().toISOString();
  await deps.store.markSent(contact.contactId, sendKey, messageId, sentAt);
  await recordSent(deps.store, contact.contactId, step, messageId, sentAt);
  return { status: 'sent', messageId };
}

async function recordSent(
  store: ContactStore,
  contactId: string,
  step: Record<string, string>,
  messageId: string,
  at: string,
): Promise<void> {
  const event: TimelineEvent = {
    eventId: `email.sent:${step.enrollmentId}:${step.nodeId}`,
    contactId,
    name: 'email.sent',
    at,
    data: { ...step, messageId },
  };
  await store.appendEvent(event);
}
