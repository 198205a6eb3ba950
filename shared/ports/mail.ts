export interface OutgoingEmail {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  headers: { name: string; value: string }[];
}

export interface MailSender {
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
}
