import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A thin proxy in front of the SES v2 emulator that does what SES's configuration-set event
 * publishing does on AWS: for every accepted message it emits a Send event, then a Delivery, or
 * a Bounce / Complaint for SES's mailbox simulator addresses, as EventBridge events. The emulator
 * keeps neither tags nor events, so the proxy remembers each request's EmailTags itself.
 */
const SIMULATOR_DOMAIN = 'simulator.amazonses.com';

type SendRequest = {
  FromEmailAddress?: string;
  Destination?: { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };
  EmailTags?: { Name: string; Value: string }[];
  ConfigurationSetName?: string;
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

/** The event records SES would publish for one accepted message, in order. */
export function eventsFor(request: SendRequest, messageId: string, now: Date): Record<string, unknown>[] {
  const to = [
    ...(request.Destination?.ToAddresses ?? []),
    ...(request.Destination?.CcAddresses ?? []),
    ...(request.Destination?.BccAddresses ?? []),
  ];
  const tags: Record<string, string[]> = Object.fromEntries((request.EmailTags ?? []).map((t) => [t.Name, [t.Value]]));
  if (request.ConfigurationSetName) tags['ses:configuration-set'] = [request.ConfigurationSetName];
  const at = now.toISOString();
  const mail = { timestamp: at, source: request.FromEmailAddress ?? '', messageId, destination: to, tags };
  const records: Record<string, unknown>[] = [{ eventType: 'Send', mail, send: {} }];
  for (const address of to) {
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
  const publish = async (request: SendRequest, messageId: string) => {
    for (const detail of eventsFor(request, messageId, new Date())) {
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

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      try {
        const headers = Object.fromEntries(
          Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k)),
        ) as Record<string, string>;
        const upstream = await fetch(new URL(req.url ?? '/', options.upstream), {
          method: req.method,
          headers,
          body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
        });
        const answer = Buffer.from(await upstream.arrayBuffer());
        if (req.method === 'POST' && req.url?.startsWith('/v2/email/outbound-emails') && upstream.ok) {
          const { MessageId } = JSON.parse(answer.toString('utf8')) as { MessageId?: string };
          // Published before SES's answer returns: SES gives no ordering guarantee, and doing it
          // first makes local runs deterministic (a bounce is recorded before the next step).
          if (MessageId) {
            const job = publish(JSON.parse(body.toString('utf8')) as SendRequest, MessageId).finally(() =>
              pending.delete(job),
            );
            pending.add(job);
            await job;
          }
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
  return {
    url: `http://127.0.0.1:${port}`,
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
