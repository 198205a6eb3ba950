import { escapeHtml } from '#core/html.ts';
import { deterministicId } from '#core/ids.ts';
import type { MailSender } from '#messaging/mail.ts';
import type { NodeOf } from '#workflows/journey.schema.ts';
import type { VersionCache } from './context.ts';
import type { StepDeps, StepRequest } from './step.types.ts';

/** Fills `{{ contact.email }}`, `{{ contact.firstName }}`, `{{ contact.lastName }}` and `{{ journey.name }}`. */
export function fillMessage(text: string, values: Record<string, string | undefined>): string {
  return text.replace(
    /\{\{\s*(contact\.(?:email|firstName|lastName)|journey\.name)\s*\}\}/g,
    (_, key: string) => values[key] ?? '',
  );
}

/**
 * Tells the shop's owner: an owner task, or an email (by the node's channel) when an owner
 * address and a sender are configured; a retried step notifies once.
 */
export async function notifyOwner(deps: StepDeps, req: StepRequest, node: NodeOf<'notify-owner'>) {
  const contact = await deps.store.getContact(req.contactId);
  const version = await (deps.versions as VersionCache).get(req.journeyId, req.journeyVersion);
  const values = {
    'contact.email': contact?.email,
    'contact.firstName': contact?.firstName,
    'contact.lastName': contact?.lastName,
    'journey.name': version?.document.name ?? req.journeyId,
  };
  const subject = fillMessage(node.subject, values);
  const message = fillMessage(node.message, values);
  const to = node.to ?? deps.settings.ownerEmail;
  const byEmail =
    node.channel === 'email' && to !== undefined && deps.mail !== undefined && deps.settings.from !== undefined;
  // The task record doubles as the claim for an email, so a retried step notifies once (at most once).
  const created = await deps.store.putTask({
    taskId: deterministicId('t', req.enrollmentId, req.nodeId),
    contactId: req.contactId,
    journeyId: req.journeyId,
    enrollmentId: req.enrollmentId,
    nodeId: req.nodeId,
    subject,
    message: byEmail
      ? `${message}\n\n(Sent by email to ${to}.)`
      : node.channel === 'email'
        ? `${message}\n\n(No owner email is configured, so this became a task.)`
        : message,
    createdAt: deps.clock.now().toISOString(),
    status: byEmail ? 'done' : 'open',
  });
  if (created === 'created' && byEmail) {
    await (deps.mail as MailSender).send({
      from: deps.settings.from as string,
      to: to as string,
      subject,
      text: message,
      html: `<p>${escapeHtml(message).replace(/\n/g, '<br>')}</p>`,
      headers: [],
      tags: { kind: 'owner-notification', journey: req.journeyId, node: req.nodeId },
    });
  }
}
