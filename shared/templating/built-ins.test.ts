import { describe, expect, it } from 'vitest';
import { loadBuiltInTemplates } from './built-ins.ts';
import { compileTemplate } from './compile.ts';
import { type RenderContext, renderCompiled } from './render.ts';

const library = loadBuiltInTemplates();

const context = (contact: Partial<RenderContext['contact']>): RenderContext => ({
  contact: { email: 'ada@example.com', ...contact },
  links: { unsubscribe: 'https://tend.test/u/1', preferences: 'https://tend.test/p/1' },
  sender: { name: 'The Shop', postalAddress: '1 Main Street, Springfield' },
});

async function compiled(id: string) {
  const template = library.templates.find((t) => t.id === id);
  if (!template) throw new Error(`no built-in template ${id}`);
  const result = await compileTemplate(template, library);
  if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('; '));
  return result.compiled;
}

describe('built-in templates', () => {
  it('ships the onboarding emails as marketing mail on the product-news topic, in English and French', () => {
    expect(library.templates.map((t) => [t.id, t.kind, t.topic, Object.keys(t.locales)])).toEqual([
      ['welcome', 'marketing', 'product-news', ['en', 'fr']],
      ['tips', 'marketing', 'product-news', ['en', 'fr']],
    ]);
  });

  it('renders the welcome email with today’s English copy and a footer', async () => {
    const rendered = renderCompiled(await compiled('welcome'), context({ firstName: 'Ada', locale: 'en-GB' }));

    expect(rendered.subject).toBe('Welcome to the shop, Ada!');
    expect(rendered.text).toContain('Hi Ada,\n\nThanks for signing up. We are glad you are here.');
    expect(rendered.text).toContain('1 Main Street, Springfield');
    expect(rendered.text).toContain('Unsubscribe (https://tend.test/u/1) · Email preferences (https://tend.test/p/1)');
    expect(rendered.html).toContain('href="https://tend.test/u/1"');
  });

  it('greets a contact without a (real) first name as before', async () => {
    const welcome = await compiled('welcome');
    const tips = await compiled('tips');

    expect(renderCompiled(welcome, context({ firstName: '   ' })).subject).toBe('Welcome to the shop, there!');
    expect(renderCompiled(tips, context({})).subject).toBe('there, three tips to get started');
    expect(renderCompiled(tips, context({ locale: 'fr' })).text).toMatch(/^The Shop\n\nBonjour à vous,/);
  });

  it('renders the tips email in French for a French contact', async () => {
    const rendered = renderCompiled(await compiled('tips'), context({ firstName: 'Zoé', locale: 'fr-FR' }));

    expect(rendered.locale).toBe('fr');
    expect(rendered.subject).toBe('Zoé, voici trois conseils pour bien démarrer');
    expect(rendered.text).toContain('Bonjour Zoé,');
    expect(rendered.text).toContain(
      'Se désabonner (https://tend.test/u/1) · Préférences e-mail (https://tend.test/p/1)',
    );
    expect(rendered.html).toMatch(/<html lang="fr"/);
  });
});
