import { ContactError } from '#contacts/errors.ts';
import type { ContactStore } from '#contacts/store.ts';
import type { Clock } from '#core/clock.ts';
import { MessagingError } from './errors.ts';
import type { MailSender } from './mail.ts';
import type { TemplateVersion } from './model.ts';
import type { Render, SendSettings } from './send-email.ts';
import { signedLink } from './signed-links.ts';
import type { TemplateStore } from './store.ts';
import type { TemplateCatalog } from './template-catalog.ts';
import type { CompileResult } from './templating/compile.ts';
import type { RenderContext, RenderedEmail } from './templating/render.ts';
import { EmailTemplate } from './templating/template.schema.ts';

export interface TemplateDeps {
  store: TemplateStore & ContactStore;
  templates: TemplateCatalog;
  /** Compiles a template against the shipped layouts and partials (MJML: only saving needs it). */
  compile: (template: EmailTemplate) => Promise<CompileResult>;
  render: Render;
  clock: Clock;
}

/**
 * Saves a new version of a template. It is compiled first: a template that does not compile
 * (Liquid or MJML error, unknown variable, missing unsubscribe link…) is refused with every
 * problem, its line and its variable, and nothing is stored.
 */
export async function saveTemplate(
  deps: TemplateDeps,
  id: string,
  body: unknown,
  savedBy: string,
): Promise<TemplateVersion> {
  const parsed = EmailTemplate.safeParse(body);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
    throw new MessagingError(
      'invalid_template',
      `the template is invalid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      { details: problems },
    );
  }
  if (parsed.data.id !== id) {
    throw new MessagingError('id_mismatch', `the body's id "${parsed.data.id}" is not "${id}"`);
  }
  const result = await deps.compile(parsed.data);
  if (!result.ok) {
    throw new MessagingError('template_does_not_compile', result.errors.map((e) => e.message).join('; '), {
      details: result.errors,
    });
  }
  const current = await deps.store.getTemplate(id);
  const version: TemplateVersion = {
    id,
    version: (current?.version ?? 0) + 1,
    source: parsed.data,
    compiled: result.compiled,
    savedAt: deps.clock.now().toISOString(),
    savedBy,
  };
  if ((await deps.store.saveTemplateVersion(version)) === 'conflict') {
    throw new MessagingError(
      'version_conflict',
      `template "${id}" was saved by someone else meanwhile; reload and retry`,
    );
  }
  return version;
}

export interface PreviewRequest {
  /** Render for this contact; otherwise a sample contact. */
  email?: string;
  locale?: string;
  sample?: Partial<RenderContext['contact']>;
}

const SAMPLE_CONTACT = { email: 'sample@example.com', firstName: 'Sam', lastName: 'Sample', properties: {} };

/** Renders a template as a contact (or a sample) would receive it, links included. */
export async function previewTemplate(
  deps: TemplateDeps & { settings: Pick<SendSettings, 'publicUrl' | 'linkSecret' | 'senderName' | 'postalAddress'> },
  id: string,
  req: PreviewRequest,
): Promise<RenderedEmail & { contact: string }> {
  const compiled = await deps.templates.getCompiled(id);
  if (!compiled) throw new MessagingError('template_not_found', `no template "${id}"`);
  let contact: RenderContext['contact'] = { ...SAMPLE_CONTACT, ...req.sample };
  let contactId = 'c-sample';
  if (req.email) {
    const found = await deps.store.findContactIdByEmail(req.email);
    const real = found ? await deps.store.getContact(found) : undefined;
    if (!real) throw new ContactError('contact_not_found', `no contact has the email ${req.email}`);
    contact = { ...real, email: req.email };
    contactId = real.contactId;
  }
  const { settings } = deps;
  const rendered = deps.render(
    compiled,
    {
      contact,
      links: {
        unsubscribe: signedLink(settings.publicUrl, settings.linkSecret, 'unsubscribe', contactId, compiled.topic),
        preferences: signedLink(settings.publicUrl, settings.linkSecret, 'preferences', contactId),
      },
      sender: { name: settings.senderName, postalAddress: settings.postalAddress },
    },
    { locale: req.locale ?? contact.locale },
  );
  return { ...rendered, contact: contact.email };
}

/** Sends a preview to an address, marked as a test; it is not a journey send and records nothing. */
export async function testSendTemplate(
  deps: TemplateDeps & { mail: MailSender; settings: SendSettings },
  id: string,
  to: string,
  req: PreviewRequest,
): Promise<{ messageId: string }> {
  const preview = await previewTemplate(deps, id, req);
  return deps.mail.send({
    from: deps.settings.from,
    replyTo: deps.settings.replyTo,
    to,
    subject: `[Test] ${preview.subject}`,
    html: preview.html,
    text: preview.text,
    headers: [],
    tags: { template: id, test: 'true' },
  });
}
