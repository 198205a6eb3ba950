import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CLICK_PATH, createTrackingMap, engagementEvent, OPEN_PATH, PIXEL_GIF } from './ses-tracking.ts';

/**
 * A thin proxy in front of the SES v2 emulator that does what SES's configuration-set event
 * publishing does on AWS: for every accepted message it emits a Send event, then a Delivery, or
 * a Bounce / Complaint for SES's mailbox simulator addresses, as EventBridge events. The emulator
 * keeps neither tags nor events, so the proxy remembers each request's EmailTags itself. It also
 * tracks opens and clicks as SES does (`ses-tracking.ts`): the pixel and links it adds to the
 * HTML part point at the proxy, which publishes an Open or Click event when they are fetched.
 */
const SIMULATOR_DOMAIN = 'simulator.amazonses.com';

type SendRequest = {
  FromEmailAddress?: string;
  Destination?: { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };
  EmailTags?: { Name: string; Value: string }[];
  ConfigurationSetName?: string;
  /** `ses-mail.ts` sends Simple content: an HTML and a text part. */
  Content?: { Simple?: { Body?: { Html?: { Data: string; Charset?: string } } } };
};

/** The mail object SES repeats in every event of one message. */
type SesMail = {
  timestamp: string;
  source: string;
  messageId: string;
  destination: string[];
  tags: Record<string, string[]>;
};

export type EventBridgeEvent = {
  version: '0';
  id: string;
  'detail-type': string;
  source: 'aws.ses';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
};

const DETAIL_TYPES: Record<string, string> = {
  Send: 'Email Sent',
  Delivery: 'Email Delivered',
  Bounce: 'Email Bounced',
  Complaint: 'Email Complaint Received',
  Open: 'Email Opened',
  Click: 'Email Clicked',
};

/** What SES's mailbox simulator does for an address: the local part before any `+label`. */
export function simulatorOutcome(address: string): 'delivery' | 'bounce' | 'complaint' | 'suppressed' {
  const [local = '', domain = ''] = address.trim().toLowerCase().split('@');
  if (domain !== SIMULATOR_DOMAIN) return 'delivery';
  const box = local.split('+')[0];
  if (box === 'bounce') return 'bounce';
  if (box === 'complaint') return 'complaint';
  if (box === 'suppressionlist') return 'suppressed';
  return 'delivery';
}

/** The mail object of an accepted message: its recipients, tags and configuration set. */
export function mailFor(request: SendRequest, messageId: string, now: Date): SesMail {
  const to = [
    ...(request.Destination?.ToAddresses ?? []),
    ...(request.Destination?.CcAddresses ?? []),
    ...(request.Destination?.BccAddresses ?? []),
  ];
  const tags: Record<string, string[]> = Object.fromEntries((request.EmailTags ?? []).map((t) => [t.Name, [t.Value]]));
  if (request.ConfigurationSetName) tags['ses:configuration-set'] = [request.ConfigurationSetName];
  return { timestamp: now.toISOString(), source: request.FromEmailAddress ?? '', messageId, destination: to, tags };
}

/** The event records SES would publish for one accepted message, in order. */
export function eventsFor(mail: SesMail): Record<string, unknown>[] {
  const at = mail.timestamp;
  const records: Record<string, unknown>[] = [{ eventType: 'Send', mail, send: {} }];
  for (const address of mail.destination) {
    const outcome = simulatorOutcome(address);
    if (outcome === 'bounce' || outcome === 'suppressed') {
      records.push({
        eventType: 'Bounce',
        mail,
        bounce: {
          bounceType: 'Permanent',
          bounceSubType: outcome === 'suppressed' ? 'OnAccountSuppressionList' : 'General',
          bouncedRecipients: [{ emailAddress: address, action: 'failed', status: '5.1.1' }],
          timestamp: at,
          feedbackId: `local-${randomUUID()}`,
        },
      });
      continue;
    }
    records.push({
      eventType: 'Delivery',
      mail,
      delivery: { timestamp: at, recipients: [address], smtpResponse: '250 OK' },
    });
    if (outcome === 'complaint') {
      records.push({
        eventType: 'Complaint',
        mail,
        complaint: {
          complainedRecipients: [{ emailAddress: address }],
          timestamp: at,
          feedbackId: `local-${randomUUID()}`,
          complaintFeedbackType: 'abuse',
        },
      });
    }
  }
  return records;
}

export interface SesEventsProxyOptions {
  /** The emulator's base URL. */
  upstream: string;
  port: number;
  emit: (event: EventBridgeEvent) => Promise<void>;
  log: (message: string, fields?: Record<string, unknown>) => void;
}

export async function startSesEventsProxy(options: SesEventsProxyOptions) {
  const pending = new Set<Promise<void>>();
  let url = '';
  const tracking = createTrackingMap<SesMail>(() => url);
  const publish = async (records: Record<string, unknown>[], messageId: string) => {
    for (const detail of records) {
      const event: EventBridgeEvent = {
        version: '0',
        id: randomUUID(),
        'detail-type': DETAIL_TYPES[detail.eventType as string] ?? 'Email Event',
        source: 'aws.ses',
        account: '000000000000',
        time: new Date().toISOString(),
        region: 'us-east-1',
        resources: [],
        detail,
      };
      try {
        await options.emit(event);
      } catch (error) {
        options.log('email event failed', { messageId, eventType: detail.eventType, error: String(error) });
      }
    }
  };

  /** Publishes and waits, so that `settled()` covers these events too. */
  const publishNow = async (records: Record<string, unknown>[], messageId: string) => {
    const job = publish(records, messageId).finally(() => pending.delete(job));
    pending.add(job);
    await job;
  };

  /** A fetched open pixel or tracked link: SES's Open or Click event, then the pixel or a redirect. */
  const answerTracking = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const hit = tracking.resolve(new URL(req.url ?? '/', url).pathname);
    if (!hit) {
      res.writeHead(404).end();
      return;
    }
    const visitor = { ipAddress: req.socket.remoteAddress ?? '', userAgent: req.headers['user-agent'] ?? '' };
    await publishNow([engagementEvent(hit, visitor, new Date())], hit.mail.messageId);
    if (hit.kind === 'open') {
      res.writeHead(200, { 'content-type': 'image/gif', 'cache-control': 'no-store' }).end(PIXEL_GIF);
    } else {
      res.writeHead(302, { location: hit.link, 'cache-control': 'no-store' }).end();
    }
  };

  /** A send request with its HTML part tracked; undefined when the body is not JSON (the emulator answers it). */
  const trackSend = (body: Buffer): { request: SendRequest; key?: string; body: Buffer } | undefined => {
    let request: SendRequest;
    try {
      request = JSON.parse(body.toString('utf8')) as SendRequest;
    } catch {
      return undefined;
    }
    const html = request.Content?.Simple?.Body?.Html;
    if (!html) return { request, body };
    const tracked = tracking.track(html.Data);
    html.Data = tracked.html;
    return { request, key: tracked.key, body: Buffer.from(JSON.stringify(request)) };
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      try {
        if (req.method === 'GET' && [OPEN_PATH, CLICK_PATH].some((path) => req.url?.startsWith(path))) {
          await answerTracking(req, res);
          return;
        }
        const sending = req.method === 'POST' && req.url?.startsWith('/v2/email/outbound-emails');
        const send = sending ? trackSend(Buffer.concat(chunks)) : undefined;
        const body = send?.body ?? Buffer.concat(chunks);
        const headers = Object.fromEntries(
          Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k)),
        ) as Record<string, string>;
        const upstream = await fetch(new URL(req.url ?? '/', options.upstream), {
          method: req.method,
          headers,
          body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
        });
        const answer = Buffer.from(await upstream.arrayBuffer());
        const { MessageId } =
          send && upstream.ok ? (JSON.parse(answer.toString('utf8')) as { MessageId?: string }) : {};
        if (send && MessageId) {
          const mail = mailFor(send.request, MessageId, new Date());
          if (send.key) tracking.accepted(send.key, mail);
          // Published before SES's answer returns: SES gives no ordering guarantee, and doing it
          // first makes local runs deterministic (a bounce is recorded before the next step).
          await publishNow(eventsFor(mail), MessageId);
        } else if (send?.key) {
          tracking.rejected(send.key);
        }
        res.writeHead(upstream.status, Object.fromEntries(upstream.headers));
        res.end(answer);
      } catch (error) {
        options.log('ses proxy failed', { error: String(error) });
        if (!res.headersSent) res.writeHead(502).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  url = `http://127.0.0.1:${port}`;
  return {
    url,
    /** Resolves when every event for messages accepted so far has been handled. */
    settled: async () => {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    close: async () => {
      await Promise.all([...pending]);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
