import { randomBytes } from 'node:crypto';
import { decodeEntities } from '#messaging/templating/html-to-text.ts';

/**
 * Open and click tracking as an SES configuration set does it: before a message is stored, each
 * `http(s)` link of its HTML part goes through a click URL and an open pixel is added. As on AWS,
 * the unsubscribe and preference links are tracked too: `record-email-event` drops their clicks
 * (shared/messaging/ses-events.ts), so managing consent never counts as engagement. Tokens name a message and a link in an in-memory map, which lives as long as the
 * emulator's own mail store.
 */
export const OPEN_PATH = '/track/open/';
export const CLICK_PATH = '/track/click/';

/** A transparent 1×1 GIF. */
export const PIXEL_GIF = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');

const ANCHOR_HREF = /(<a\b[^>]*?\bhref\s*=\s*)(?:"(https?:\/\/[^"]*)"|'(https?:\/\/[^']*)')/gi;

/**
 * Rewrites the links of an HTML part through `urls.click(index)` and adds the `urls.open` pixel
 * before `</body>` (at the end when there is none). Returns the original links, by index.
 */
export function trackHtml(
  html: string,
  urls: { open: string; click: (index: number) => string },
): { html: string; links: string[] } {
  const links: string[] = [];
  const rewritten = html.replace(ANCHOR_HREF, (_whole, start: string, double?: string, single?: string) => {
    const link = decodeEntities(double ?? single ?? '');
    links.push(link);
    const quote = double === undefined ? "'" : '"';
    return `${start}${quote}${urls.click(links.length - 1)}${quote}`;
  });
  const pixel = `<img src="${urls.open}" width="1" height="1" alt="">`;
  const body = rewritten.search(/<\/body\s*>/i);
  const tracked = body === -1 ? `${rewritten}${pixel}` : `${rewritten.slice(0, body)}${pixel}${rewritten.slice(body)}`;
  return { html: tracked, links };
}

/** A fetched pixel or tracked link, with the mail object SES repeats in each of its events. */
export type TrackingHit<Mail> = { kind: 'open'; mail: Mail } | { kind: 'click'; mail: Mail; link: string };

interface Tracked<Mail> {
  links: string[];
  /** Set once the emulator accepted the message; until then no event can name it. */
  mail?: Mail;
}

/** The messages the proxy tracks, by token; `base` is the proxy's own URL. */
export function createTrackingMap<Mail>(base: () => string) {
  const messages = new Map<string, Tracked<Mail>>();
  return {
    /** Tracks an HTML part; returns its rewritten HTML and the key to attach the mail to. */
    track(html: string): { html: string; key: string } {
      const key = randomBytes(12).toString('base64url');
      const out = trackHtml(html, {
        open: `${base()}${OPEN_PATH}${key}`,
        click: (index) => `${base()}${CLICK_PATH}${key}.${index}`,
      });
      messages.set(key, { links: out.links });
      return { html: out.html, key };
    },
    accepted(key: string, mail: Mail): void {
      const tracked = messages.get(key);
      if (tracked) tracked.mail = mail;
    },
    rejected(key: string): void {
      messages.delete(key);
    },
    /** What a tracking path points at, or undefined for an unknown token. */
    resolve(path: string): TrackingHit<Mail> | undefined {
      if (path.startsWith(OPEN_PATH)) {
        const mail = messages.get(path.slice(OPEN_PATH.length))?.mail;
        return mail ? { kind: 'open', mail } : undefined;
      }
      if (path.startsWith(CLICK_PATH)) {
        const [key = '', index = ''] = path.slice(CLICK_PATH.length).split('.');
        const tracked = messages.get(key);
        const link = /^\d+$/.test(index) ? tracked?.links[Number(index)] : undefined;
        return tracked?.mail && link ? { kind: 'click', mail: tracked.mail, link } : undefined;
      }
      return undefined;
    },
  };
}

/** The Open or Click event record SES publishes when a pixel or a tracked link is fetched. */
export function engagementEvent<Mail>(
  hit: TrackingHit<Mail>,
  visitor: { ipAddress: string; userAgent: string },
  now: Date,
): Record<string, unknown> {
  const at = now.toISOString();
  return hit.kind === 'open'
    ? { eventType: 'Open', mail: hit.mail, open: { timestamp: at, ...visitor } }
    : { eventType: 'Click', mail: hit.mail, click: { timestamp: at, ...visitor, link: hit.link, linkTags: {} } };
}
