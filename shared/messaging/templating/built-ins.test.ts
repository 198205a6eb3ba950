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
  it('ships every built-in journey email in English and French, each marketing email on a topic', () => {
    expect(library.templates.map((t) => [t.id, t.kind, t.topic ?? null, Object.keys(t.locales)])).toEqual([
      ['welcome', 'marketing', 'product-news', ['en', 'fr']],
      ['tips', 'marketing', 'product-news', ['en', 'fr']],
      ['nurture-guide', 'marketing', 'product-news', ['en', 'fr']],
      ['nurture-story', 'marketing', 'product-news', ['en', 'fr']],
      ['nurture-offer', 'marketing', 'offers', ['en', 'fr']],
      ['cart-reminder', 'marketing', 'offers', ['en', 'fr']],
      ['cart-last-chance', 'marketing', 'offers', ['en', 'fr']],
      ['winback', 'marketing', 'offers', ['en', 'fr']],
      ['winback-offer', 'marketing', 'offers', ['en', 'fr']],
      ['payment-failed', 'transactional', null, ['en', 'fr']],
      ['tier-up', 'marketing', 'product-news', ['en', 'fr']],
      ['review-request', 'marketing', 'product-news', ['en', 'fr']],
      ['cross-sell', 'marketing', 'offers', ['en', 'fr']],
    ]);
  });

  it('renders the cart reminder with the cart items, total and recovery link, and without them', async () => {
    const template = await compiled('cart-reminder');
    const event = {
      cartId: 'c1',
      total: { amountMinor: 12905, currency: 'EUR' },
      lineItems: [{ name: 'Linen throw', quantity: 2 }],
      recoveryUrl: 'https://shop.example/cart/c1',
    };
    const full = renderCompiled(template, { ...context({ firstName: 'Ada' }), event }, {});
    expect(full.text).toContain('Linen throw');
    expect(full.text).toContain('129.05 EUR');
    expect(full.html).toContain('https://shop.example/cart/c1');
    const bare = renderCompiled(template, context({}), {});
    expect(bare.text).not.toMatch(/undefined|\{\{|\{%/);
    expect(bare.html).not.toContain('shop.example');
  });

  it('keeps the unsubscribe footer out of the transactional payment notice', async () => {
    const rendered = renderCompiled(await compiled('payment-failed'), context({}), {});
    expect(rendered.html).not.toContain('https://tend.test/u/1');
    expect(rendered.html).toContain('1 Main Street, Springfield');
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
