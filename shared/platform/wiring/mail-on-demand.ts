import type { MailSender } from '#messaging/mail.ts';

/**
 * The SES sender for functions that send mail only now and then (owner notifications, test
 * sends): the SES client is imported with the first email, never at cold start. The send path
 * (send-email) uses ./mail.ts, built at cold start.
 */
export const mail: MailSender = {
  send: async (email) => (await import('./mail.ts')).mail.send(email),
};
