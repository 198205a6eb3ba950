import type { Contact } from './contact.ts';

/**
 * The first template catalogue: code, not yet stored documents (Liquid/MJML templates with
 * locales are a later capability). Each template renders subject, HTML and text from a contact.
 */
export interface RenderContext {
  contact: Pick<Contact, 'firstName' | 'email'>;
  unsubscribeUrl: string;
  postalAddress: string;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

interface Template {
  /** Marketing mail honours unsubscribes; transactional mail would not. */
  kind: 'marketing';
  subject: (name: string) => string;
  paragraphs: (name: string) => string[];
}

const TEMPLATES = {
  welcome: {
    kind: 'marketing',
    subject: (name) => `Welcome to the shop, ${name}!`,
    paragraphs: (name) => [
      `Hi ${name},`,
      'Thanks for signing up. We are glad you are here.',
      'Over the next few days we will share a few tips to help you get the most out of your account.',
    ],
  },
  tips: {
    kind: 'marketing',
    subject: (name) => `${name}, three tips to get started`,
    paragraphs: (name) => [
      `Hi ${name},`,
      '1. Complete your profile so we can recommend the right products.',
      '2. Save items to your wishlist and we will tell you when they are back in stock.',
      '3. Reply to this email any time: a real person reads it.',
    ],
  },
} as const satisfies Record<string, Template>;

export type TemplateId = keyof typeof TEMPLATES;
export const templateIds: ReadonlySet<string> = new Set(Object.keys(TEMPLATES));
export const isTemplateId = (id: string): id is TemplateId => templateIds.has(id);

const escapeHtml = (value: string): string =>
  value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

/** Renders a template for a contact; a missing first name falls back to "there". */
export function renderTemplate(id: TemplateId, ctx: RenderContext): RenderedEmail {
  const template: Template = TEMPLATES[id];
  const name = ctx.contact.firstName?.trim() || 'there';
  const paragraphs = template.paragraphs(name);
  const footer = `You receive this email because you signed up at our shop. ${ctx.postalAddress}`;
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif;line-height:1.5;max-width:560px;margin:auto">',
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    `<hr><p style="font-size:12px;color:#666">${escapeHtml(footer)}<br>`,
    `<a href="${escapeHtml(ctx.unsubscribeUrl)}">Unsubscribe</a></p>`,
    '</body></html>',
  ].join('\n');
  const text = [...paragraphs, '', '--', footer, `Unsubscribe: ${ctx.unsubscribeUrl}`].join('\n');
  return { subject: template.subject(name), html, text };
}
