import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { signedLink } from '#messaging/signed-links.ts';
import { type EventBridgeEvent, startSesEventsProxy } from './ses-events.ts';
import { trackHtml } from './ses-tracking.ts';

const unsubscribe = signedLink('http://127.0.0.1:3000', 'secret', 'unsubscribe', 'c-1', 'product-news');
const preferences = signedLink('http://127.0.0.1:3000', 'secret', 'preferences', 'c-1');
/** As templates render links: `&` and `=` escaped as entities. */
const escaped = (url: string) => url.replaceAll('&', '&amp;').replaceAll('=', '&#x3D;');
const html = [
  '<html><body>',
  '<a href="https://shop.example/products?a=1&amp;b=2">Shop</a>',
  `<a class="button" href='https://shop.example/tips'>Tips</a>`,
  `<a href="${escaped(unsubscribe)}">Unsubscribe</a>`,
  `<a href="${escaped(preferences)}">Preferences</a>`,
  '<a href="mailto:help@shop.example">Help</a>',
  '</body></html>',
].join('\n');
const urls = { open: 'http://proxy/track/open/k', click: (i: number) => `http://proxy/track/click/k.${i}` };

describe('trackHtml', () => {
  it('rewrites each http link through a click URL and keeps the original, decoded', () => {
    const out = trackHtml(html, urls);
    expect(out.links).toEqual([
      'https://shop.example/products?a=1&b=2',
      'https://shop.example/tips',
      unsubscribe,
      preferences,
    ]);
    expect(out.html).toContain('<a href="http://proxy/track/click/k.0">Shop</a>');
    expect(out.html).toContain(`<a class="button" href='http://proxy/track/click/k.1'>Tips</a>`);
    expect(out.html).not.toContain('shop.example/products');
  });

  it('tracks the unsubscribe and preference links as SES does (their clicks are dropped when recorded), and leaves mailto links alone', () => {
    const out = trackHtml(html, urls);
    expect(out.html).toContain('<a href="http://proxy/track/click/k.2">Unsubscribe</a>');
    expect(out.html).toContain('<a href="http://proxy/track/click/k.3">Preferences</a>');
    expect(out.html).toContain('<a href="mailto:help@shop.example">Help</a>');
  });

  it('adds one open pixel, just before </body>', () => {
    const out = trackHtml(html, urls);
    const pixel = '<img src="http://proxy/track/open/k" width="1" height="1" alt="">';
    expect(out.html.split(pixel)).toHaveLength(2);
    expect(out.html).toContain(`${pixel}</body>`);
    expect(trackHtml('<p>no body tag</p>', urls).html).toBe(`<p>no body tag</p>${pixel}`);
  });
});

describe('the SES proxy tracking opens and clicks', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  async function proxy() {
    const stored: { Content: { Simple: { Body: { Html: { Data: string }; Text: { Data: string } } } } }[] = [];
    const upstream = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        stored.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ MessageId: 'm-1' }));
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', () => resolve()));
    closers.push(() => new Promise<void>((resolve) => upstream.close(() => resolve())));
    const events: EventBridgeEvent[] = [];
    const ses = await startSesEventsProxy({
      upstream: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
      port: 0,
      emit: async (event) => {
        events.push(event);
      },
      log: () => undefined,
    });
    closers.push(() => ses.close());
    return { ses, stored, events };
  }

  it('stores tracked HTML with the text part untouched, and publishes Open and Click events', async () => {
    const { ses, stored, events } = await proxy();
    const text = 'Hi Ada, visit https://shop.example/products?a=1&b=2';
    const res = await fetch(`${ses.url}/v2/email/outbound-emails`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        FromEmailAddress: 'shop@example.com',
        Destination: { ToAddresses: ['ada@example.com'] },
        EmailTags: [{ Name: 'template', Value: 'welcome' }],
        ConfigurationSetName: 'tend',
        Content: {
          Simple: {
            Subject: { Data: 'Welcome' },
            Body: { Html: { Data: html }, Text: { Data: text } },
          },
        },
      }),
    });
    expect(res.status).toBe(200);
    const body = stored[0]?.Content.Simple.Body;
    expect(body?.Text.Data).toBe(text);
    const pixel = /<img src="([^"]+)"/.exec(body?.Html.Data ?? '')?.[1] ?? '';
    const click = /href="([^"]+)">Shop/.exec(body?.Html.Data ?? '')?.[1] ?? '';
    expect(pixel).toContain(`${ses.url}/track/open/`);

    const opened = await fetch(pixel);
    expect(opened.headers.get('content-type')).toBe('image/gif');
    const gif = Buffer.from(await opened.arrayBuffer());
    expect([gif.subarray(0, 6).toString(), gif.readUInt16LE(6), gif.readUInt16LE(8)]).toEqual(['GIF89a', 1, 1]);
    const clicked = await fetch(click, { redirect: 'manual' });
    expect(clicked.status).toBe(302);
    expect(clicked.headers.get('location')).toBe('https://shop.example/products?a=1&b=2');
    expect((await fetch(`${ses.url}/track/click/unknown.0`)).status).toBe(404);

    const send = events.find((e) => e.detail.eventType === 'Send');
    const open = events.find((e) => e.detail.eventType === 'Open');
    const hit = events.find((e) => e.detail.eventType === 'Click');
    expect(open?.['detail-type']).toBe('Email Opened');
    expect(hit?.['detail-type']).toBe('Email Clicked');
    expect(open?.detail.mail).toEqual(send?.detail.mail);
    expect(hit?.detail.mail).toEqual(send?.detail.mail);
    expect(hit?.detail.click).toMatchObject({ link: 'https://shop.example/products?a=1&b=2', linkTags: {} });
    expect(open?.detail.open).toMatchObject({ timestamp: expect.any(String) });
  });
});
