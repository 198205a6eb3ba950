import { describe, expect, it } from 'vitest';
import { compileTemplate } from './compile.ts';
import { compiledOf, errorsOf, library, marketing, section } from './compile-fixtures.ts';

describe('compileTemplate: MJML', () => {
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
});
