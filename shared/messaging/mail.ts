export interface OutgoingEmail {
  from: string;
  replyTo?: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  headers: { name: string; value: string }[];
  /** SES message tags (letters, digits, '_' and '-'), published with every event of the message. */
  tags: Record<string, string>;
}

export interface MailSender {
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
}
