import { describe, expect, it } from 'vitest';
import { compileTemplate } from './compile.ts';
import { compiledOf, errorsOf, library, marketing, section } from './compile-fixtures.ts';

describe('compileTemplate', () => {
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

  it('reports invalid settings as template errors instead of throwing', async () => {
    const template = { ...marketing({ fr: { subject: 'Salut', mjml: 'x' } }), topic: undefined };

    const errors = errorsOf(await compileTemplate(template, library));

    expect(errors.map((e) => e.message)).toEqual([
      'topic: a marketing template needs a subscription topic',
      'defaultLocale: the default locale "en" has no variant (have: fr)',
    ]);
  });
});
