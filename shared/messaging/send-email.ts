import { consentAllows } from '#contacts/consent.ts';
import type { ContactStore } from '#contacts/store.ts';
import type { Clock } from '#core/clock.ts';
import type { Contact, EventName } from '#core/contact.ts';
import { TransientError } from '#core/errors.ts';
import type { FrequencyCap, QuietHours } from '#workflows/send-limits.ts';
import type { MailSender } from './mail.ts';
import type { SendRecord } from './model.ts';
import { decideSend } from './send-policy.ts';
import { signedLink } from './signed-links.ts';
import type { MessageStore, SendContext, SendStore, SuppressionStore } from './store.ts';
import type { TemplateCatalog } from './template-catalog.ts';
import type { RenderContext } from './templating/render.ts';
import type { CompiledTemplate } from './templating/template.schema.ts';

export interface JourneyEmailRequest {
  contactId: string;
  enrollmentId: string;
  journeyId: string;
  /** Written with the send's events, which count the node's visit (see `sendVisits`). */
  journeyVersion?: number;
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
  /** How a send in doubt waits for SES's word; without it, a retry before the window throws at once. */
  confirmation?: ConfirmationWait;
}

/**
 * How a send whose earlier attempt is in doubt (claimed, never recorded) waits for SES's Send
 * event, which records the send if that attempt reached SES.
 */
export interface ConfirmationWait {
  /**
   * From the earlier claim: once this has passed unconfirmed, that attempt is taken as never
   * having reached SES. `CONFIRMATION_WAIT_MS` on AWS; locally divided by the journey's time
   * scale, like the task's retry intervals (the local SES publishes its Send event before it
   * answers, so only a crash leaves a send in doubt there).
   */
  windowMs: number;
  /**
   * The longest one invocation waits, looking at the send every `pollMs`, before handing back to
   * the task's Retry: waiting here, the window is outlasted however short the jittered retry
   * intervals come out. Below the function's timeout.
   */
  holdMs: number;
  pollMs: number;
  sleep(ms: number): Promise<void>;
}

/** The keys `getSendContext` reads for a journey email. */
export const sendContextKeys = (req: JourneyEmailRequest) => ({
  contactId: req.contactId,
  enrollmentId: req.enrollmentId,
  sendKey: `${req.enrollmentId}#${req.nodeId}`,
  templateId: req.template,
  ...(req.triggerEventId ? { triggerEventId: req.triggerEventId } : {}),
});

/**
 * How long an earlier attempt may stay unconfirmed before it is taken as never sent (SES's Send
 * event comes within seconds of SES accepting a message).
 */
export const CONFIRMATION_WAIT_MS = 60_000;

/** Without a `ConfirmationWait`: the full window, and no waiting inside the invocation. */
const NO_HOLD: ConfirmationWait = { windowMs: CONFIRMATION_WAIT_MS, holdMs: 0, pollMs: 0, sleep: async () => {} };

/**
 * Runs a send, and counts its node's visit with `countVisit` when the send ends without an event
 * for aggregate-events to count it from (`sendVisits`): when it throws (the error is rethrown) or
 * the contact is gone. So the journey report shows where every enrollment stopped.
 */
export async function sendCountingVisit(
  send: () => Promise<SendOutcome>,
  countVisit: () => Promise<void>,
): Promise<SendOutcome> {
  let outcome: SendOutcome;
  try {
    outcome = await send();
  } catch (error) {
    // The send's own error is what the task's Retry and Catch act on: a failed count must not hide it.
    await countVisit().catch(() => undefined);
    throw error;
  }
  if (outcome.status === 'skipped' && outcome.reason === 'contact-missing') await countVisit();
  return outcome;
}

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
  const step = stepData(req);
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
  if (earlier?.status === 'sent' && earlier.messageId) return alreadySent(deps, req, earlier);

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

  // An earlier attempt read with the context needs no second claim: it is in doubt.
  const claim =
    earlier?.status === 'sending'
      ? { outcome: 'in-doubt' as const, record: earlier }
      : await store.claimSend({
          contactId: contact.contactId,
          sendKey,
          kind: 'journey',
          template: req.template,
          claimedAt: now.toISOString(),
        });
  if (claim.outcome !== 'claimed') {
    const confirmed = claim.outcome === 'sent' ? claim.record : await awaitConfirmation(deps, claim.record);
    if (confirmed?.messageId) return alreadySent(deps, req, confirmed);
    // The earlier attempt is taken as lost: this one takes the claim over, so that if it dies in
    // turn after SES accepted, the next retry waits for its confirmation rather than sending again.
    const renewed = await store.renewClaim(
      contact.contactId,
      sendKey,
      claim.record.claimedAt,
      clock.now().toISOString(),
    );
    if (!renewed) throw new TransientError(`another attempt of ${sendKey} took it over, or it was confirmed`);
  }

  const { messageId, locale } = await deliver(
    deps,
    { ...contact, email },
    { ...template, topic },
    req,
    read.trigger?.data,
  );
  await recordSent(deps, req, contact.contactId, messageId, clock.now().toISOString());
  return { status: 'sent', messageId, locale };
}

/** What each event of a journey send says about it: where in which journey, which template. */
const stepData = (req: JourneyEmailRequest) => ({
  journeyId: req.journeyId,
  ...(req.journeyVersion !== undefined ? { journeyVersion: req.journeyVersion } : {}),
  enrollmentId: req.enrollmentId,
  nodeId: req.nodeId,
  template: req.template,
});

/** The message reference, the send as sent and its `email.sent` event, at once (see `SendStore`). */
function recordSent(deps: SendDeps, req: JourneyEmailRequest, contactId: string, messageId: string, sentAt: string) {
  const sendKey = `${req.enrollmentId}#${req.nodeId}`;
  const step = stepData(req);
  return deps.store.recordSent({ messageId, contactId, sendKey }, sentAt, {
    eventId: `email.sent:${req.enrollmentId}:${req.nodeId}`,
    contactId,
    name: 'email.sent',
    at: sentAt,
    data: { ...step, messageId },
  });
}

/**
 * A send that went out before: answered as then. The attempt that sent it may have died before
 * recording it (SES's Send event marks the send, nothing more): without its message reference,
 * written with the rest, the record is completed.
 */
async function alreadySent(deps: SendDeps, req: JourneyEmailRequest, sent: SendRecord): Promise<SendOutcome> {
  const messageId = sent.messageId as string;
  if (!(await deps.store.getMessageRef(messageId))) {
    await recordSent(deps, req, sent.contactId, messageId, sent.sentAt ?? deps.clock.now().toISOString());
  }
  return { status: 'already-sent', messageId };
}

/**
 * An earlier attempt claimed this send and never recorded it: it may have reached SES, whose Send
 * event then marks the send. Looks at the send until that happens (returns it), until the window
 * from the claim has passed unconfirmed (returns undefined: the attempt is taken as lost and this
 * one sends), or until this invocation has held as long as it may (throws TransientError: the
 * task's Retry calls again).
 */
async function awaitConfirmation(deps: SendDeps, record: SendRecord): Promise<SendRecord | undefined> {
  const wait = deps.confirmation ?? NO_HOLD;
  const deadline = Date.parse(record.claimedAt) + wait.windowMs;
  const holdUntil = deps.clock.now().getTime() + wait.holdMs;
  for (let current: SendRecord | undefined = record; ; ) {
    if (current?.status === 'sent') return current;
    const now = deps.clock.now().getTime();
    if (now >= deadline) return undefined;
    if (now >= holdUntil) {
      throw new TransientError(`waiting for SES to confirm an earlier attempt of ${record.sendKey}`);
    }
    await wait.sleep(Math.min(wait.pollMs, deadline - now, holdUntil - now));
    current = await deps.store.getSend(record.contactId, record.sendKey);
  }
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
