import { type SESv2Client, SendEmailCommand, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { TransientError } from '#core/errors.ts';
import type { MailSender } from './mail.ts';

/** Sends through SES v2 `SendEmail`, keeping custom headers (List-Unsubscribe and friends). */
export function createSesMailSender(ses: SESv2Client, configurationSet?: string): MailSender {
  return {
    async send(email) {
      try {
        const out = await ses.send(
          new SendEmailCommand({
            FromEmailAddress: email.from,
            Destination: { ToAddresses: [email.to] },
            ReplyToAddresses: email.replyTo ? [email.replyTo] : undefined,
            EmailTags: Object.entries(email.tags).map(([Name, Value]) => ({ Name, Value })),
            ConfigurationSetName: configurationSet,
            Content: {
              Simple: {
                Subject: { Data: email.subject, Charset: 'UTF-8' },
                Body: { Html: { Data: email.html, Charset: 'UTF-8' }, Text: { Data: email.text, Charset: 'UTF-8' } },
                Headers: email.headers.map((h) => ({ Name: h.name, Value: h.value })),
              },
            },
          }),
        );
        if (!out.MessageId) throw new Error('SES accepted the email but returned no message id');
        return { messageId: out.MessageId };
      } catch (error) {
        // Throttling is worth retrying: the state machine's Retry matches TransientError.
        if (error instanceof TooManyRequestsException)
          throw new TransientError('SES throttled the send', { cause: error });
        throw error;
      }
    },
  };
}
