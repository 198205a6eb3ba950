import { describe, expect, it } from 'vitest';
import { emailsTo, eventually, getContact, postWebhook, stack, uniqueEmail } from '../support/local.ts';

const api = (path: string, method = 'GET', body?: unknown) =>
  fetch(`${stack.api}${path}`, {
    method,
    headers: { authorization: `Bearer ${stack.adminToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then(async (res) => ({ status: res.status, json: (await res.json()) as Record<string, unknown> }));

const body = (greeting: string) =>
  `<mj-section><mj-column><mj-text>${greeting} {{ contact.firstName | default: 'friend' }}</mj-text></mj-column></mj-section>`;
const template = (id: string, fr = body('Bonjour')) => ({
  id,
  name: 'Back in stock',
  kind: 'marketing',
  topic: 'offers',
  layout: 'default',
  defaultLocale: 'en',
  locales: {
    en: { subject: 'Hello {{ contact.firstName }}', mjml: body('Hello') },
    fr: { subject: 'Bonjour {{ contact.firstName }}', mjml: fr },
  },
});

describe('/api/templates', () => {
  it('saves a two-locale template and previews it per locale, falling back for a third', async () => {
    const id = `stock-${Date.now()}`;
    expect(await api(`/api/templates/${id}`, 'PUT', template(id))).toMatchObject({ status: 200, json: { version: 1 } });
    const preview = async (locale: string) =>
      (await api(`/api/templates/${id}/preview`, 'POST', { locale, sample: { firstName: 'Zoé' } })).json;
    expect(await preview('en-GB')).toMatchObject({ locale: 'en', subject: 'Hello Zoé' });
    expect(await preview('fr-CA')).toMatchObject({ locale: 'fr', subject: 'Bonjour Zoé' });
    expect(await preview('de')).toMatchObject({ locale: 'en', subject: 'Hello Zoé' });
    const html = String((await preview('fr')).html);
    expect(html).toContain('Bonjour Zoé');
    expect(html).toContain('/unsubscribe?c=');
    expect((await api(`/api/templates/${id}/versions`)).json.versions).toHaveLength(1);
  });

  it('refuses a template with an unknown variable at save time, naming it and its line, and stores nothing', async () => {
    const id = `broken-${Date.now()}`;
    const fr = `<mj-section><mj-column>\n<mj-text>Bonjour</mj-text>\n<mj-text>{{ contact.firstname }}</mj-text>\n</mj-column></mj-section>`;
    const res = await api(`/api/templates/${id}`, 'PUT', template(id, fr));
    expect(res.status).toBe(422);
    const error = res.json.error as {
      code: string;
      message: string;
      details: { variable?: string; line?: number; locale: string }[];
    };
    expect(error.code).toBe('template_does_not_compile');
    expect(error.details).toEqual([expect.objectContaining({ locale: 'fr', variable: 'contact.firstname', line: 3 })]);
    expect(error.message).toContain('contact.firstName');
    expect((await api(`/api/templates/${id}`)).status).toBe(404);
  });

  it('test-sends a preview to an address', async () => {
    const to = uniqueEmail('test-send');
    const res = await api('/api/templates/welcome/test-send', 'POST', { to, locale: 'fr' });
    expect(res.status).toBe(202);
    const [email] = await eventually('the test email', async () => {
      const found = await emailsTo(to);
      return found.length > 0 ? found : undefined;
    });
    expect(email?.subject).toMatch(/^\[Test\] Sam, bienvenue/);
  });

  it('renders a real contact in its own locale when previewing by email', async () => {
    const email = uniqueEmail('preview');
    await postWebhook({ body: JSON.stringify({ email, firstName: 'Ines' }) });
    await eventually('the contact', async () => ((await getContact(email)).status === 200 ? true : undefined));
    const res = await api('/api/templates/welcome/preview', 'POST', { email });
    expect(res).toMatchObject({ status: 200, json: { contact: email, locale: 'en' } });
    expect(String(res.json.subject)).toContain('Ines');
  });
});
