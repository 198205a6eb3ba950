import { Liquid } from 'liquidjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadBuiltInTemplates } from './built-ins.ts';
import { compileTemplate } from './compile.ts';
import { chooseLocale, type RenderContext, renderCompiled, TemplateRenderError } from './render.ts';
import type { CompiledTemplate, EmailTemplate } from './template.schema.ts';

const library = loadBuiltInTemplates();

const section = (...components: string[]): string =>
  ['<mj-section>', '  <mj-column>', ...components.map((c) => `    ${c}`), '  </mj-column>', '</mj-section>'].join('\n');

/** The acceptance template: English and French, English by default. */
const greeting: EmailTemplate = {
  id: 'greeting',
  name: 'Greeting',
  kind: 'marketing',
  topic: 'product-news',
  layout: 'default',
  defaultLocale: 'en',
  locales: {
    en: {
      subject: 'Hello {{ contact.firstName | default: "there" }}',
      mjml: section(
        `<mj-text>Hello {{ contact.firstName | default: 'there' }}, your plan is {{ contact.properties.plan }}.</mj-text>`,
        '<mj-text>Order {{ event.order.id }} from {{ journey.name }}. <a href="{{ event.cartUrl }}">Your cart</a></mj-text>',
      ),
    },
    fr: {
      subject: 'Bonjour {{ contact.firstName | default: "à vous" }}',
      mjml: section(`<mj-text>Bonjour {{ contact.firstName | default: 'à vous' }} !</mj-text>`),
    },
  },
};

const context = (
  contact: Partial<RenderContext['contact']> = {},
  extra: Partial<RenderContext> = {},
): RenderContext => ({
  contact: { email: 'ada@example.com', firstName: 'Ada', ...contact },
  links: { unsubscribe: 'https://tend.test/u/abc?sig=1&x=2', preferences: 'https://tend.test/p/abc' },
  sender: { name: 'The Shop', postalAddress: '1 Main Street, Springfield' },
  ...extra,
});

let compiled: CompiledTemplate;
beforeAll(async () => {
  const result = await compileTemplate(greeting, library);
  if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('; '));
  compiled = result.compiled;
});

describe('renderCompiled', () => {
  it("renders each contact's locale and falls back to the default for a third", () => {
    const en = renderCompiled(compiled, context({ locale: 'en', firstName: 'Ada' }));
    const fr = renderCompiled(compiled, context({ locale: 'fr-CA', firstName: 'Zoé' }));
    const de = renderCompiled(compiled, context({ locale: 'de', firstName: 'Jörg' }));

    expect([en.locale, en.subject]).toEqual(['en', 'Hello Ada']);
    expect([fr.locale, fr.subject]).toEqual(['fr', 'Bonjour Zoé']);
    expect([de.locale, de.subject]).toEqual(['en', 'Hello Jörg']);
    expect(fr.html).toContain('Bonjour Zoé !');
    expect(fr.html).toContain('Se désabonner');
    expect(fr.text).toContain('Se désabonner (https://tend.test/u/abc?sig=1&x=2)');
    expect(de.html).toContain('Hello Jörg');
    expect(de.text).toContain('Unsubscribe (https://tend.test/u/abc?sig=1&x=2)');
  });

  it('lets the caller choose the locale over the contact’s', () => {
    const rendered = renderCompiled(compiled, context({ locale: 'en' }), { locale: 'FR' });

    expect(rendered.locale).toBe('fr');
  });

  it('renders missing values as empty text and uses the defaults the template gives', () => {
    const rendered = renderCompiled(compiled, context({ firstName: undefined, properties: undefined }));

    expect(rendered.subject).toBe('Hello there');
    expect(rendered.html).toContain('Hello there, your plan is .');
    expect(rendered.text).toContain('Hello there, your plan is .');
    expect(rendered.text).toContain('Order  from . Your cart\n');
  });

  it('escapes contact data in the HTML but not in the subject or the text', () => {
    const rendered = renderCompiled(compiled, context({ firstName: '<b>Bob & "Al"</b>' }));

    expect(rendered.html).toContain('Hello &lt;b&gt;Bob &amp; &#34;Al&#34;&lt;/b&gt;');
    expect(rendered.html).not.toContain('<b>Bob');
    expect(rendered.subject).toBe('Hello <b>Bob & "Al"</b>');
    expect(rendered.text).toContain('Hello <b>Bob & "Al"</b>, your plan');
  });

  it('fills links in href attributes, escaped for HTML', () => {
    const rendered = renderCompiled(
      compiled,
      context({}, { event: { cartUrl: 'https://shop.test/cart?id=1&u=2', order: { id: 'A-1' } } }),
    );

    expect(rendered.html).toContain('href="https://shop.test/cart?id=1&amp;u=2"');
    expect(rendered.html).toContain('href="https://tend.test/u/abc?sig=1&amp;x=2"');
    expect(rendered.html).toContain('href="https://tend.test/p/abc"');
    expect(rendered.text).toContain('Order A-1 from . Your cart (https://shop.test/cart?id=1&u=2)');
  });

  it('keeps the subject on one line whatever a contact’s name holds', () => {
    const rendered = renderCompiled(compiled, context({ firstName: 'Eve\r\nBcc: victim@example.com' }));

    expect(rendered.subject).toBe('Hello Eve Bcc: victim@example.com');
  });

  it('shows the template only the documented variables', () => {
    // Compilation refuses such a template; this is the renderer's own line of defence.
    const leaky: CompiledTemplate = {
      format: 1,
      id: 'leaky',
      kind: 'transactional',
      defaultLocale: 'en',
      locales: { en: { subject: 'x', html: '', text: '[{{ contact.contactId }}{{ contact.createdBy }}]' } },
    };
    const contact = { email: 'a@b.test', contactId: 'c-1', createdBy: 'secret' } as RenderContext['contact'];

    const rendered = renderCompiled(leaky, context(contact));

    expect(rendered.text).toBe('[]');
  });

  it('renders 1,000 emails from one compiled template, parsing each part once', () => {
    const parse = vi.spyOn(Liquid.prototype, 'parse');
    const fresh = { ...compiled, locales: { en: { ...compiled.locales.en, subject: 'Hi {{ contact.firstName }}!' } } };

    const subjects = Array.from(
      { length: 1_000 },
      (_, i) => renderCompiled(fresh as CompiledTemplate, context({ firstName: `Contact ${i}` })).subject,
    );

    expect(subjects[999]).toBe('Hi Contact 999!');
    expect(new Set(subjects).size).toBe(1_000);
    // the new subject is parsed once; the HTML and text were cached by the earlier tests
    expect(parse.mock.calls.length).toBeLessThanOrEqual(3);
    parse.mockRestore();
  });

  it('throws a named error for a template that runs away', () => {
    const looping = {
      ...compiled,
      locales: {
        en: {
          subject: '{% for i in (1..100000) %}{% for j in (1..100000) %}{% endfor %}{% endfor %}',
          html: '',
          text: '',
        },
      },
    } as CompiledTemplate;

    expect(() => renderCompiled(looping, context())).toThrow(TemplateRenderError);
  });
});

describe('chooseLocale', () => {
  const locales = { en: { subject: '', html: '', text: '' }, 'fr-BE': { subject: '', html: '', text: '' } };

  it('matches exactly, ignoring case and underscores', () => {
    expect(chooseLocale({ locales, defaultLocale: 'en' }, 'FR_be')).toBe('fr-BE');
  });

  it('falls back to another region of the same language before the default', () => {
    expect(chooseLocale({ locales, defaultLocale: 'en' }, 'fr-CA')).toBe('fr-BE');
  });

  it('uses the default for an unknown or missing locale', () => {
    expect(chooseLocale({ locales, defaultLocale: 'en' }, 'de')).toBe('en');
    expect(chooseLocale({ locales, defaultLocale: 'en' }, undefined)).toBe('en');
  });
});
