import { consentAllows } from '#domain/consent.ts';
import type { Contact, EventName } from '#domain/contact.ts';
import { TransientError } from '#domain/errors.ts';
import { decideSend, type FrequencyCap, type QuietHours } from '#domain/send-policy.ts';
import { signedLink } from '#domain/signed-links.ts';
import type { Clock } from '#ports/clock.ts';
import type { MailSender } from '#ports/mail.ts';
import type { ContactStore, MessageStore, SendContext, SendStore, SuppressionStore } from '#ports/store.ts';
import type { TemplateCatalog } from '#ports/templates.ts';
import type { RenderContext } from '#templating/render.ts';
import type { CompiledTemplate } from '#templating/template.schema.ts';

export interface JourneyEmailRequest {
  contactId: string;
  enrollmentId: string;
  journeyId: string;
  nodeId: string;
  template: string;
  /** Subscription topic for the consent check and unsubscribe link; the template's own when absent. */
  topic?: string;
  /** The event that enrolled the contact: its data is `event` in the template. */
  triggerEventId?: string;
  quietHours?: QuietHours;
  frequencyCap?: FrequencyCap;
}

export interface SendSettings {
  from: string;
  replyTo?: string;
  senderName: string;
  publicUrl: string;
  postalAddress: string;
  linkSecret: string;
  configurationSet?: string;
  defaultTimeZone: string;
}

export type Render = (
  compiled: CompiledTemplate,
  context: RenderContext,
  options: { locale?: string },
) => { subject: string; html: string; text: string; locale: string };

export type SkipReason =
  | 'contact-missing'
  /** Known only by a phone, provider id or device id so far. */
  | 'no-email'
  | 'unsubscribed'
  | 'topic-unsubscribed'
  | 'unknown-topic'
  | 'suppressed'
  | 'quiet-hours';

export type SendOutcome =
  | { status: 'sent'; messageId: string; locale: string }
  | { status: 'already-sent'; messageId: string }
  | { status: 'deferred'; until: string; reason: 'quiet-hours' | 'frequency-cap' }
  | { status: 'skipped'; reason: SkipReason };

export interface SendDeps {
  store: ContactStore & SendStore & SuppressionStore & MessageStore;
  templates: TemplateCatalog;
  render: Render;
  mail: MailSender;
  clock: Clock;
  settings: SendSettings;
}

/** The keys `getSendContext` reads for a journey email. */
export const sendContextKeys = (req: JourneyEmailRequest) => ({
  contactId: req.contactId,
  enrollmentId: req.enrollmentId,
  sendKey: `${req.enrollmentId}#${req.nodeId}`,
  templateId: req.template,
  ...(req.triggerEventId ? { triggerEventId: req.triggerEventId } : {}),
});

/** How long an earlier attempt may stay unconfirmed before it is taken as never sent. */
export const CONFIRMATION_WAIT_MS = 60_000;

/** Thrown when a template a journey names does not exist: retrying cannot help. */
export class TemplateNotFoundError extends Error {
  override name = 'TemplateNotFoundError';
}

/**
 * Sends one journey email, exactly once per (enrollment, node):
 * - consent, suppression, quiet hours and the frequency cap are checked first, and every skip
 *   or deferral is recorded on the timeline with its reason;
 * - the send is claimed before SES is called and recorded after; SES's Send event records it
 *   too, so an attempt that crashed after SES accepted is found on retry and not repeated.
 */
export async function sendJourneyEmail(
  deps: SendDeps,
  req: JourneyEmailRequest,
  /** What the caller already read with `getSendContext` for this request. */
  context?: SendContext,
): Promise<SendOutcome> {
  const { store, clock } = deps;
  const sendKey = `${req.enrollmentId}#${req.nodeId}`;
  const read = context ?? (await store.getSendContext(sendContextKeys(req)));
  const contact = read.contact;
  if (!contact) return { status: 'skipped', reason: 'contact-missing' };
  const template = await deps.templates.getCompiled(req.template, read.template);
  if (!template) throw new TemplateNotFoundError(`template "${req.template}" does not exist`);
  const step = { journeyId: req.journeyId, enrollmentId: req.enrollmentId, nodeId: req.nodeId, template: req.template };
  const now = clock.now();
  const record = (name: EventName, suffix: string, data: Record<string, unknown>) =>
    store.appendEvent({
      eventId: `${name}:${req.enrollmentId}:${req.nodeId}${suffix}`,
      contactId: contact.contactId,
      name,
      at: now.toISOString(),
      data: { ...step, ...data },
    });
  const skip = async (reason: SkipReason): Promise<SendOutcome> => {
    await record('email.skipped', '', { reason });
    return { status: 'skipped', reason };
  };

  // A retry after the email went out answers as before, whatever changed since.
  const earlier = read.send;
  if (earlier?.status === 'sent' && earlier.messageId) return { status: 'already-sent', messageId: earlier.messageId };

  const email = contact.email;
  if (!email) return skip('no-email');
  const topic = req.topic ?? template.topic;
  const consent = consentAllows(contact, template.kind, topic);
  if (!consent.allowed) return skip(consent.reason);
  if (await store.getSuppression(email)) return skip('suppressed');

  if (req.quietHours || req.frequencyCap) {
    const periodMs = (req.frequencyCap?.periodHours ?? 0) * 3_600_000;
    const recent = req.frequencyCap
      ? (await store.listSentSince(contact.contactId, new Date(now.getTime() - periodMs).toISOString()))
          .filter((s) => s.kind === 'journey' && s.sentAt)
          .map((s) => new Date(s.sentAt as string))
      : [];
    const decision = decideSend({
      now,
      timeZone: contact.timeZone ?? deps.settings.defaultTimeZone,
      quietHours: req.quietHours,
      cap: req.frequencyCap,
      recentJourneySends: recent,
    });
    if (decision.action === 'skip') return skip(decision.reason);
    if (decision.action === 'defer') {
      const until = decision.until.toISOString();
      await record('email.deferred', `:${until}`, { reason: decision.reason, until });
      return { status: 'deferred', until, reason: decision.reason };
    }
  }

  const claim = await store.claimSend({
    contactId: contact.contactId,
    sendKey,
    kind: 'journey',
    template: req.template,
    claimedAt: now.toISOString(),
  });
  if (claim.outcome === 'sent' && claim.record.messageId) {
    return { status: 'already-sent', messageId: claim.record.messageId };
  }
  if (claim.outcome === 'in-doubt' && now.getTime() - Date.parse(claim.record.claimedAt) < CONFIRMATION_WAIT_MS) {
    // An earlier attempt may have reached SES; its Send event will say so within seconds.
    throw new TransientError(`waiting for SES to confirm an earlier attempt of ${sendKey}`);
  }

  const { messageId, locale } = await deliver(
    deps,
    { ...contact, email },
    { ...template, topic },
    req,
    read.trigger?.data,
  );
  const sentAt = clock.now().toISOString();
  await store.recordSent({ messageId, contactId: contact.contactId, sendKey }, sentAt, {
    eventId: `email.sent:${req.enrollmentId}:${req.nodeId}`,
    contactId: contact.contactId,
    name: 'email.sent',
    at: sentAt,
    data: { ...step, messageId },
  });
  return { status: 'sent', messageId, locale };
}

/** Renders and hands the email to SES with the one-click unsubscribe headers and tags. */
async function deliver(
  deps: SendDeps,
  contact: Contact & { email: string },
  template: CompiledTemplate,
  req: JourneyEmailRequest,
  event: Record<string, unknown> | undefined,
): Promise<{ messageId: string; locale: string }> {
  const { settings } = deps;
  const { email } = contact;
  const marketing = template.kind === 'marketing';
  const unsubscribe = signedLink(
    settings.publicUrl,
    settings.linkSecret,
    'unsubscribe',
    contact.contactId,
    template.topic,
  );
  const preferences = signedLink(settings.publicUrl, settings.linkSecret, 'preferences', contact.contactId);
  const rendered = deps.render(
    template,
    {
      contact,
      journey: { id: req.journeyId, enrollmentId: req.enrollmentId, nodeId: req.nodeId },
      ...(event ? { event } : {}),
      links: { unsubscribe, preferences },
      sender: { name: settings.senderName, postalAddress: settings.postalAddress },
    },
    { locale: contact.locale },
  );
  const { messageId } = await deps.mail.send({
    from: settings.from,
    replyTo: settings.replyTo,
    to: email,
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    headers: marketing
      ? [
          { name: 'List-Unsubscribe', value: `<${unsubscribe}>` },
          { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
        ]
      : [],
    tags: {
      contactId: contact.contactId,
      enrollment: req.enrollmentId,
      node: req.nodeId,
      template: req.template,
    },
  });
  return { messageId, locale: rendered.locale };
}
