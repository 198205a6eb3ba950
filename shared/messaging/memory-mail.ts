import type { MailSender, OutgoingEmail } from './mail.ts';

/** Records sent mail instead of sending it. */
export function createMemoryMail(): MailSender & { sent: OutgoingEmail[] } {
  const sent: OutgoingEmail[] = [];
  return {
    sent,
    async send(email) {
      sent.push(structuredClone(email));
      return { messageId: `m-${sent.length}` };
    },
  };
}
