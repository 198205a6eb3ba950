import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { adminCall, emailsTo, eventually, getContact, postWebhook, stack, uniqueEmail } from '../support/local.ts';

/** The `href`s of an HTML part, as a mail client reads them. */
const hrefs = (html: string) => [...html.matchAll(/<a\b[^>]*?\bhref="([^"]+)"/g)].map((m) => m[1] ?? '');
const SHOP_LINK = 'https://shop.example/new-arrivals?utm_source=tend&utm_medium=email';

describe('open and click tracking on the local stack', () => {
  it('records an open and a click of a journey email, and redirects the click to the original link', async () => {
    // The built-in welcome email links only to the unsubscribe and preference pages, so the
    // journey sends a template of the test's own with a content link.
    const tag = randomUUID().slice(0, 8);
    const template = `it-track-${tag}`;
    const saved = await adminCall('PUT', `/api/templates/${template}`, {
      id: template,
      name: 'New arrivals',
      kind: 'marketing',
      topic: 'product-news',
      layout: 'default',
      defaultLocale: 'en',
      locales: {
        en: {
          subject: `New arrivals ${tag}`,
          mjml: `<mj-section><mj-column><mj-button href="${SHOP_LINK.replace('&', '&amp;')}">See them</mj-button></mj-column></mj-section>`,
        },
      },
    });
    expect(saved.status).toBe(200);
    const journey = `it-track-${tag}`;
    const definition = {
      schemaVersion: 1,
      id: journey,
      name: 'Tracked mail',
      triggers: [{ type: 'event', event: 'form.submitted', where: [{ path: 'fields.itTrack', op: 'eq', value: tag }] }],
      start: 'send',
      nodes: { send: { type: 'send-email', template, next: 'done' }, done: { type: 'exit' } },
    };
    expect((await adminCall('PUT', `/api/journeys/${journey}`, definition)).status).toBe(200);
    expect((await adminCall('POST', `/api/journeys/${journey}/publish`)).status).toBe(201);

    const email = uniqueEmail('track');
    await postWebhook({ body: JSON.stringify({ email, firstName: 'Otto', fields: { itTrack: tag } }) });
    const mail = await eventually('the tracked email', async () =>
      (await emailsTo(email)).find((e) => e.subject === `New arrivals ${tag}`),
    );
    const html = mail.body.html ?? '';
    const pixels = [...html.matchAll(/<img src="([^"]*\/track\/open\/[^"]+)"/g)].map((m) => m[1] ?? '');
    const links = hrefs(html).filter((l) => !l.startsWith('mailto:'));
    expect(pixels).toHaveLength(1);
    expect(html).not.toContain('shop.example');
    // As SES does, every link is tracked, the unsubscribe and preference links too.
    expect(links.length).toBeGreaterThanOrEqual(3);
    expect(links.every((l) => l.startsWith(`${stack.sesApi}/track/click/`))).toBe(true);
    expect(mail.body.text).not.toContain('/track/');

    const opened = await fetch(pixels[0] ?? '');
    expect(opened.status).toBe(200);
    expect(opened.headers.get('content-type')).toBe('image/gif');
    // Every link clicked (each answers once its Click event is recorded), not followed.
    const targets: string[] = [];
    for (const link of links) {
      const clicked = await fetch(link, { redirect: 'manual' });
      expect(clicked.status).toBe(302);
      targets.push(clicked.headers.get('location') ?? '');
    }
    expect(targets).toContain(SHOP_LINK);
    expect(targets.filter((t) => t.startsWith(`${stack.api}/unsubscribe?`))).toHaveLength(1);
    expect(targets.filter((t) => t.startsWith(`${stack.api}/preferences?`))).toHaveLength(1);

    const timeline = await eventually('the open and the click on the timeline', async () => {
      const { body } = await getContact(email);
      const names = body.timeline.map((e) => e.name);
      return names.includes('email.opened') && names.includes('email.clicked') ? body.timeline : undefined;
    });
    const open = timeline.filter((e) => e.name === 'email.opened');
    const click = timeline.filter((e) => e.name === 'email.clicked');
    expect(open.map((e) => e.data)).toEqual([expect.objectContaining({ template, messageId: mail.messageId })]);
    // Leaving or managing consent is not engagement: only the shop link's click counts.
    expect(click.map((e) => e.data)).toEqual([
      expect.objectContaining({ template, messageId: mail.messageId, link: SHOP_LINK }),
    ]);
  });
});
