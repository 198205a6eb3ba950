import { describe, expect, it } from 'vitest';
import { loadBuiltInTemplates } from './built-ins.ts';
import { type CompileResult, compileTemplate } from './compile.ts';
import type { CompiledTemplate, EmailTemplate, TemplateError, TemplateLocale } from './template.schema.ts';

const library = loadBuiltInTemplates();

/** A body fragment for the default layout: one section, one column, the given components. */
const section = (...components: string[]): string =>
  ['<mj-section>', '  <mj-column>', ...components.map((c) => `    ${c}`), '  </mj-column>', '</mj-section>'].join('\n');

const marketing = (locales: Record<string, TemplateLocale>, overrides: Partial<EmailTemplate> = {}): EmailTemplate => ({
  id: 'spring-sale',
  name: 'Spring sale',
  kind: 'marketing',
  topic: 'product-news',
  layout: 'default',
  defaultLocale: 'en',
  locales,
  ...overrides,
});

function errorsOf(result: CompileResult): TemplateError[] {
  if (result.ok) throw new Error('expected the template to be refused');
  return result.errors;
}

function compiledOf(result: CompileResult): CompiledTemplate {
  if (!result.ok)
    throw new Error(`expected the template to compile: ${result.errors.map((e) => e.message).join('; ')}`);
  return result.compiled;
}

describe('compileTemplate', () => {
  it('refuses an unknown variable, naming the variable, the line and a likely fix', async () => {
    const template = marketing({
      en: { subject: 'Hello', mjml: section('<mj-text>Hello {{ contact.firstName }}</mj-text>') },
      fr: { subject: 'Bonjour', mjml: section('<mj-text>', 'Bonjour {{ contact.firstname }}', '</mj-text>') },
    });

    const errors = errorsOf(await compileTemplate(template, library));

    expect(errors).toEqual([
      {
        locale: 'fr',
        part: 'html',
        line: 4,
        column: 16,
        variable: 'contact.firstname',
        message: 'unknown variable "contact.firstname" on line 4 of the fr body (did you mean contact.firstName?)',
      },
    ]);
  });

  it('refuses unknown variables in the subject and suggests custom properties', async () => {
    const template = marketing({
      en: { subject: 'Your {{ contact.plan }} plan', mjml: section('<mj-text>x</mj-text>') },
    });

    const errors = errorsOf(await compileTemplate(template, library));

    expect(errors).toEqual([
      expect.objectContaining({
        part: 'subject',
        line: 1,
        variable: 'contact.plan',
        message: 'unknown variable "contact.plan" on line 1 of the en subject (did you mean contact.properties.plan?)',
      }),
    ]);
  });

  it('accepts every documented variable, free-form data and variables the template assigns', async () => {
    const body = section(
      '<mj-text>{{ contact.email }} {{ contact.lastName }} {{ contact.locale }} {{ contact.timeZone }}</mj-text>',
      '<mj-text>{{ contact.properties.plan }} {{ contact.tags | join: ", " }} {{ contact.tags.size }}</mj-text>',
      '<mj-text>{{ event.order.items[0].title }} {{ journey.name }} {{ sender.name }}</mj-text>',
      '<mj-text>{% assign total = event.order.total | default: 0 %}{{ total }}</mj-text>',
      '<mj-text>{% for item in event.order.items %}{{ forloop.index }}. {{ item.title }}{% endfor %}</mj-text>',
    );

    const result = await compileTemplate(marketing({ en: { subject: 'Hi', mjml: body } }), library);

    expect(result.ok).toBe(true);
  });

  it('refuses a Liquid syntax error with its line', async () => {
    const template = marketing({
      en: { subject: 'Hi', mjml: section('<mj-text>', '{% if contact.firstName %}Hi', '</mj-text>') },
    });

    const errors = errorsOf(await compileTemplate(template, library));

    expect(errors).toEqual([
      expect.objectContaining({
        locale: 'en',
        part: 'html',
        line: 4,
        message: '{% if contact.firstName %} is never closed on line 4 of the en body',
      }),
    ]);
  });

  it('refuses an unknown filter', async () => {
    const template = marketing({
      en: { subject: '{{ contact.firstName | upcse }}', mjml: section('<mj-text>x</mj-text>') },
    });

    const errors = errorsOf(await compileTemplate(template, library));

    expect(errors).toEqual([
      expect.objectContaining({
        part: 'subject',
        line: 1,
        message: 'unknown filter "upcse" (did you mean upcase?) on line 1 of the en subject',
      }),
    ]);
  });

  it('refuses an MJML component that does not exist, on its line in the body', async () => {
    const template = marketing({ en: { subject: 'Hi', mjml: section('<mj-txt>Hello</mj-txt>') } });

    const errors = errorsOf(await compileTemplate(template, library));

    expect(errors).toEqual([
      { locale: 'en', part: 'html', line: 3, message: '<mj-txt> is not an MJML component on line 3 of the en body' },
    ]);
  });

  it('refuses an unclosed MJML tag, which MJML itself would silently swallow', async () => {
    const body = ['<mj-section>', '  <mj-column>', '    <mj-text>Hello</mj-text>', '</mj-section>'].join('\n');

    const errors = errorsOf(await compileTemplate(marketing({ en: { subject: 'Hi', mjml: body } }), library));

    expect(errors).toEqual([
      expect.objectContaining({
        line: 2,
        message: '<mj-column> is not closed before </mj-section> on line 2 of the en body',
      }),
    ]);
  });

  it('refuses Liquid in an attribute MJML validates, with the Liquid named', async () => {
    const body = section('<mj-text color="{{ contact.properties.color }}">Hi</mj-text>');

    const errors = errorsOf(await compileTemplate(marketing({ en: { subject: 'Hi', mjml: body } }), library));

    expect(errors).toEqual([
      expect.objectContaining({
        line: 3,
        message:
          'attribute color="{{ contact.properties.color }}" of <mj-text> is not a valid Color on line 3 of the en body',
      }),
    ]);
  });

  it('refuses Liquid tags that MJML would drop between sections, and accepts them in <mj-raw>', async () => {
    const bare = ['{% if contact.properties.vip %}', section('<mj-text>VIP</mj-text>'), '{% endif %}'].join('\n');
    const wrapped = [
      '<mj-raw>{% if contact.properties.vip %}</mj-raw>',
      section('<mj-text>VIP</mj-text>'),
      '<mj-raw>{% endif %}</mj-raw>',
    ].join('\n');

    const refused = errorsOf(await compileTemplate(marketing({ en: { subject: 'Hi', mjml: bare } }), library));
    const accepted = compiledOf(await compileTemplate(marketing({ en: { subject: 'Hi', mjml: wrapped } }), library));

    expect(refused.map((e) => [e.line, e.message])).toEqual([
      [
        1,
        'MJML drops the Liquid {% if contact.properties.vip %}: between MJML components, put Liquid inside <mj-raw>…</mj-raw> on line 1 of the en body',
      ],
      [
        7,
        'MJML drops the Liquid {% endif %}: between MJML components, put Liquid inside <mj-raw>…</mj-raw> on line 7 of the en body',
      ],
    ]);
    expect(accepted.locales.en?.html).toMatch(/\{% if contact\.properties\.vip %\}[\s\S]*VIP[\s\S]*\{% endif %\}/);
  });

  it('keeps Liquid intact in text and in href attributes through MJML', async () => {
    const body = section(
      `<mj-text>Hi {{ contact.firstName | default: 'there' }} &amp; welcome <a href="{{ event.cartUrl }}">your cart</a></mj-text>`,
      '<mj-button href="{{ links.preferences }}?from={{ journey.id }}">Preferences</mj-button>',
    );

    const compiled = compiledOf(await compileTemplate(marketing({ en: { subject: 'Hi', mjml: body } }), library));

    const html = compiled.locales.en?.html ?? '';
    expect(html).toContain(`Hi {{ contact.firstName | default: 'there' }} &amp; welcome`);
    expect(html).toContain('href="{{ event.cartUrl }}"');
    expect(html).toContain('href="{{ links.preferences }}?from={{ journey.id }}"');
  });

  it('refuses a marketing email without unsubscribe link, preference link and postal address', async () => {
    const template = marketing(
      {
        en: {
          subject: 'Hi',
          mjml: `<mjml><mj-body>${section('<mj-text>Just news</mj-text>')}</mj-body></mjml>`,
          text: 'Just news. Unsubscribe: {{ links.unsubscribe }}',
        },
      },
      { layout: undefined },
    );

    const errors = errorsOf(await compileTemplate(template, library));

    expect(errors.map((e) => [e.part, e.variable])).toEqual([
      ['html', 'links.unsubscribe'],
      ['html', 'links.preferences'],
      ['html', 'sender.postalAddress'],
      ['text', 'links.preferences'],
      ['text', 'sender.postalAddress'],
    ]);
    expect(errors[0]?.message).toBe(
      'the en body lacks an unsubscribe link: marketing email must include {{ links.unsubscribe }} (the "footer" partial has it)',
    );
  });

  it('lets a transactional email go without the marketing footer', async () => {
    const template: EmailTemplate = {
      id: 'receipt',
      name: 'Receipt',
      kind: 'transactional',
      defaultLocale: 'en',
      locales: {
        en: {
          subject: 'Your order {{ event.orderId }}',
          mjml: `<mjml><mj-body>${section('<mj-text>Thanks for order {{ event.orderId }}</mj-text>')}</mj-body></mjml>`,
        },
      },
    };

    const compiled = compiledOf(await compileTemplate(template, library));

    expect(compiled.kind).toBe('transactional');
    expect(compiled.locales.en?.text).toBe('Thanks for order {{ event.orderId }}');
  });

  it('splices the body into the layout and the partial where it is rendered, per locale', async () => {
    const template = marketing({
      en: { subject: 'Hi', mjml: section('<mj-text>English body</mj-text>') },
      fr: { subject: 'Salut', mjml: section('<mj-text>Corps français</mj-text>') },
    });

    const compiled = compiledOf(await compileTemplate(template, library));

    const en = compiled.locales.en?.html ?? '';
    const fr = compiled.locales.fr?.html ?? '';
    expect(en).toMatch(/<html lang="en"/);
    expect(fr).toMatch(/<html lang="fr"/);
    // header from the layout, then the body, then the footer partial (its fr variant for fr)
    expect(en).toMatch(/\{\{ sender\.name \}\}[\s\S]*English body[\s\S]*Unsubscribe/);
    expect(fr).toMatch(/\{\{ sender\.name \}\}[\s\S]*Corps français[\s\S]*Se désabonner/);
    expect(fr).not.toContain('Unsubscribe');
  });

  it('places errors in a partial on the partial, once for all locales', async () => {
    const partials = [
      { id: 'footer', mjml: section('<mj-text>{{ sender.adress }} {{ links.unsubscribe }}</mj-text>') },
    ];
    const template = marketing({
      en: { subject: 'Hi', mjml: section('<mj-text>x</mj-text>') },
      fr: { subject: 'Salut', mjml: section('<mj-text>x</mj-text>') },
    });

    const errors = errorsOf(await compileTemplate(template, { layouts: library.layouts, partials }));

    expect(errors.filter((e) => e.part === 'partial')).toEqual([
      {
        locale: 'en',
        part: 'partial',
        name: 'footer',
        line: 3,
        column: 17,
        variable: 'sender.adress',
        message: 'unknown variable "sender.adress" on line 3 of partial "footer" (did you mean sender.postalAddress?)',
      },
    ]);
  });

  it('names a missing partial, a missing layout and a layout without a content slot', async () => {
    const withMissingPartial = marketing({
      en: { subject: 'Hi', mjml: `${section('<mj-text>x</mj-text>')}\n{% render 'promo' %}` },
    });
    const withMissingLayout = marketing(
      { en: { subject: 'Hi', mjml: section('<mj-text>x</mj-text>') } },
      { layout: 'fancy' },
    );
    const slotless = { id: 'default', mjml: '<mjml>\n<mj-body>\n</mj-body>\n</mjml>' };

    const partialErrors = errorsOf(await compileTemplate(withMissingPartial, library));
    const layoutErrors = errorsOf(await compileTemplate(withMissingLayout, library));
    const slotErrors = errorsOf(await compileTemplate(withMissingPartial, { layouts: [slotless] }));

    expect(partialErrors).toEqual([
      expect.objectContaining({
        line: 6,
        message: 'partial "promo" does not exist (available: footer) on line 6 of the en body',
      }),
    ]);
    expect(layoutErrors).toEqual([
      expect.objectContaining({
        part: 'template',
        message: 'layout "fancy" does not exist (available: default, transactional)',
      }),
    ]);
    expect(slotErrors).toContainEqual(
      expect.objectContaining({
        part: 'layout',
        name: 'default',
        message: expect.stringContaining('no {{ content }} slot'),
      }),
    );
  });

  it('refuses partials that include themselves', async () => {
    const partials = [
      { id: 'a', mjml: "{% render 'b' %}" },
      { id: 'b', mjml: "{% render 'a' %}" },
    ];
    const template = marketing(
      { en: { subject: 'Hi', mjml: "<mjml><mj-body>{% render 'a' %}</mj-body></mjml>" } },
      { kind: 'transactional', topic: undefined, layout: undefined },
    );

    const errors = errorsOf(await compileTemplate(template, { partials }));

    expect(errors).toEqual([
      expect.objectContaining({ part: 'partial', name: 'b', message: expect.stringContaining('a → b → a') }),
    ]);
  });

  it('derives the text part from the HTML, keeping links and Liquid', async () => {
    const body = section(
      `<mj-text>Hi {{ contact.firstName | default: 'there' }}, <a href="{{ event.cartUrl }}">see your cart</a>.</mj-text>`,
    );

    const compiled = compiledOf(await compileTemplate(marketing({ en: { subject: 'Hi', mjml: body } }), library));

    const text = compiled.locales.en?.text ?? '';
    expect(text).toContain(`Hi {{ contact.firstName | default: 'there' }}, see your cart ({{ event.cartUrl }}).`);
    expect(text).toContain('Unsubscribe ({{ links.unsubscribe }}) · Email preferences ({{ links.preferences }})');
    expect(text).toContain('{{ sender.name }}, {{ sender.postalAddress }}');
    expect(text).not.toMatch(/<|mso|tendlq/);
  });

  it('reports invalid settings as template errors instead of throwing', async () => {
    const template = { ...marketing({ fr: { subject: 'Salut', mjml: 'x' } }), topic: undefined };

    const errors = errorsOf(await compileTemplate(template, library));

    expect(errors.map((e) => e.message)).toEqual([
      'topic: a marketing template needs a subscription topic',
      'defaultLocale: the default locale "en" has no variant (have: fr)',
    ]);
  });

  it('refuses a full MJML document when the template has a layout, and a fragment when it has none', async () => {
    const doc = `<mjml><mj-body>${section('<mj-text>x</mj-text>')}</mj-body></mjml>`;

    const withLayout = errorsOf(await compileTemplate(marketing({ en: { subject: 'Hi', mjml: doc } }), library));
    const without = errorsOf(
      await compileTemplate(
        marketing({ en: { subject: 'Hi', mjml: section('<mj-text>x</mj-text>') } }, { layout: undefined }),
        library,
      ),
    );

    expect(withLayout[0]?.message).toContain('is a full <mjml> document, but the template uses layout "default"');
    expect(without[0]?.message).toContain('is not a full <mjml> document and the template has no layout');
  });

  it('refuses partials in the subject', async () => {
    const template = marketing({ en: { subject: "Hi {% render 'footer' %}", mjml: section('<mj-text>x</mj-text>') } });

    const errors = errorsOf(await compileTemplate(template, library));

    expect(errors).toEqual([
      expect.objectContaining({ part: 'subject', message: expect.stringContaining('can only be used in the body') }),
    ]);
  });
});
