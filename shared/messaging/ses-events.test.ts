import { describe, expect, it } from 'vitest';
import { interpretSesEvent, type SesEventRecord } from './ses-events.ts';
import { signedLink } from './signed-links.ts';

const mail = {
  messageId: 'm-1',
  timestamp: '2026-08-01T10:00:00.000Z',
  destination: ['ada@example.com'],
  tags: { template: ['welcome'], contactId: ['c-1'] },
};
const click = (link: string): SesEventRecord => ({
  eventType: 'Click',
  mail,
  click: { timestamp: '2026-08-01T10:05:00.000Z', link },
});

describe('interpretSesEvent on clicks', () => {
  it('records a click on a content link as email.clicked with the link', () => {
    const { effects } = interpretSesEvent(click('https://shop.example/products?ref=mail'));
    expect(effects).toEqual([
      {
        email: 'ada@example.com',
        timeline: {
          name: 'email.clicked',
          at: '2026-08-01T10:05:00.000Z',
          data: { messageId: 'm-1', template: 'welcome', link: 'https://shop.example/products?ref=mail' },
          key: 'clicked:2026-08-01T10:05:00.000Z:https://shop.example/products?ref=mail',
        },
      },
    ]);
  });

  it('does not count a click on the unsubscribe or the preferences link as engagement', () => {
    const unsubscribe = signedLink('https://crm.example', 'secret', 'unsubscribe', 'c-1', 'product-news');
    const preferences = signedLink('https://crm.example', 'secret', 'preferences', 'c-1');
    expect(interpretSesEvent(click(unsubscribe)).effects).toEqual([]);
    expect(interpretSesEvent(click(preferences)).effects).toEqual([]);
  });

  it('counts a link that only looks like a page named unsubscribe, without a token', () => {
    const { effects } = interpretSesEvent(click('https://shop.example/unsubscribe'));
    expect(effects.map((e) => e.timeline?.name)).toEqual(['email.clicked']);
  });
});
