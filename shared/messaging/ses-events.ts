import * as z from 'zod';
import type { EventName } from '#core/contact.ts';
import { isSignedLink } from './signed-links.ts';

/**
 * SES event records (configuration set event publishing), as documented for SNS, Firehose and
 * EventBridge (there as the event's `detail`). Only the fields Tend uses are declared; the rest
 * pass through.
 */
const recipients = z.array(z.object({ emailAddress: z.string() }).loose());

export const sesEventRecordSchema = z
  .object({
    eventType: z.enum([
      'Send',
      'Delivery',
      'Bounce',
      'Complaint',
      'Open',
      'Click',
      'Reject',
      'DeliveryDelay',
      'RenderingFailure',
      'Subscription',
    ]),
    mail: z
      .object({
        messageId: z.string().min(1),
        timestamp: z.string(),
        destination: z.array(z.string()),
        tags: z.record(z.string(), z.array(z.string())).optional(),
      })
      .loose(),
    bounce: z
      .object({
        bounceType: z.enum(['Permanent', 'Transient', 'Undetermined']),
        bounceSubType: z.string().optional(),
        bouncedRecipients: recipients,
        timestamp: z.string(),
        feedbackId: z.string().optional(),
      })
      .loose()
      .optional(),
    complaint: z
      .object({
        complainedRecipients: recipients,
        timestamp: z.string(),
        feedbackId: z.string().optional(),
        complaintFeedbackType: z.string().optional(),
      })
      .loose()
      .optional(),
    delivery: z
      .object({ timestamp: z.string(), recipients: z.array(z.string()) })
      .loose()
      .optional(),
    open: z.object({ timestamp: z.string() }).loose().optional(),
    click: z.object({ timestamp: z.string(), link: z.string() }).loose().optional(),
  })
  .loose();

export type SesEventRecord = z.infer<typeof sesEventRecordSchema>;

/** An EventBridge event from SES: `detail` is the event record. */
export const sesEventBridgeSchema = z.object({ source: z.literal('aws.ses'), detail: sesEventRecordSchema }).loose();

export interface EmailEffect {
  /** The recipient the effect is about (lower-cased). */
  email: string;
  timeline?: { name: EventName; at: string; data: Record<string, unknown>; key: string };
  /** Hard bounces and complaints suppress the address at once. */
  suppress?: 'bounce' | 'complaint';
  /** A Send event is the evidence that SES accepted the message. */
  confirmsSend?: boolean;
}

const tag = (record: SesEventRecord, name: string) => record.mail.tags?.[name]?.[0];
const lower = (email: string) => email.trim().toLowerCase();

/** What an SES event means for Tend: timeline entries, suppression, send evidence. Pure. */
export function interpretSesEvent(record: SesEventRecord): {
  messageId: string;
  sendKey?: string;
  contactId?: string;
  effects: EmailEffect[];
} {
  const messageId = record.mail.messageId;
  const base = { messageId, ...(tag(record, 'template') ? { template: tag(record, 'template') } : {}) };
  const each = (emails: string[], make: (email: string) => EmailEffect) => emails.map((e) => make(lower(e)));
  let effects: EmailEffect[];
  switch (record.eventType) {
    case 'Send':
      effects = each(record.mail.destination, (email) => ({ email, confirmsSend: true }));
      break;
    case 'Delivery':
      effects = each(record.delivery?.recipients ?? record.mail.destination, (email) => ({
        email,
        timeline: {
          name: 'email.delivered',
          at: record.delivery?.timestamp ?? record.mail.timestamp,
          data: base,
          key: 'delivered',
        },
      }));
      break;
    case 'Bounce': {
      const bounce = record.bounce;
      const hard = bounce?.bounceType === 'Permanent';
      effects = each(
        (bounce?.bouncedRecipients ?? []).map((r) => r.emailAddress),
        (email) => ({
          email,
          timeline: {
            name: 'email.bounced',
            at: bounce?.timestamp ?? record.mail.timestamp,
            data: { ...base, bounceType: bounce?.bounceType, bounceSubType: bounce?.bounceSubType },
            key: `bounced:${bounce?.feedbackId ?? bounce?.timestamp}`,
          },
          ...(hard ? { suppress: 'bounce' as const } : {}),
        }),
      );
      break;
    }
    case 'Complaint': {
      const complaint = record.complaint;
      effects = each(
        (complaint?.complainedRecipients ?? []).map((r) => r.emailAddress),
        (email) => ({
          email,
          timeline: {
            name: 'email.complained',
            at: complaint?.timestamp ?? record.mail.timestamp,
            data: { ...base, feedbackType: complaint?.complaintFeedbackType },
            key: `complained:${complaint?.feedbackId ?? complaint?.timestamp}`,
          },
          suppress: 'complaint',
        }),
      );
      break;
    }
    case 'Open':
      effects = each(record.mail.destination, (email) => ({
        email,
        timeline: {
          name: 'email.opened',
          at: record.open?.timestamp ?? record.mail.timestamp,
          data: base,
          key: `opened:${record.open?.timestamp}`,
        },
      }));
      break;
    case 'Click':
      // SES tracks every link of the HTML part, the unsubscribe and preference links included:
      // following one is not engagement, so it leaves no `email.clicked` (nor score, nor KPI).
      if (isSignedLink(record.click?.link ?? '')) {
        effects = [];
        break;
      }
      effects = each(record.mail.destination, (email) => ({
        email,
        timeline: {
          name: 'email.clicked',
          at: record.click?.timestamp ?? record.mail.timestamp,
          data: { ...base, link: record.click?.link },
          key: `clicked:${record.click?.timestamp}:${record.click?.link}`,
        },
      }));
      break;
    default:
      // Reject, DeliveryDelay, RenderingFailure, Subscription: logged by the handler, no effect yet.
      effects = [];
  }
  // SES tag values allow only letters, digits, '_' and '-', so the send key travels in two tags.
  const enrollment = tag(record, 'enrollment');
  const node = tag(record, 'node');
  const sendKey = enrollment && node ? `${enrollment}#${node}` : undefined;
  return { messageId, sendKey, contactId: tag(record, 'contactId'), effects };
}
