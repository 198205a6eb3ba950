import { describe, expect, it } from 'vitest';
import { compileTemplate } from './compile.ts';
import { compiledOf, errorsOf, library, marketing, section } from './compile-fixtures.ts';
import type { EmailTemplate } from './template.schema.ts';

describe('compileTemplate: Liquid', () => {
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

  it('refuses partials in the subject', async () => {
    const template = marketing({ en: { subject: "Hi {% render 'footer' %}", mjml: section('<mj-text>x</mj-text>') } });

    const errors = errorsOf(await compileTemplate(template, library));

    expect(errors).toEqual([
      expect.objectContaining({ part: 'subject', message: expect.stringContaining('can only be used in the body') }),
    ]);
  });
});
