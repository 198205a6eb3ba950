import type { CompiledTemplate, EmailTemplate } from './templating/template.schema.ts';

/** What messaging keeps: sends and their claims, suppressions, SES message references, templates. */

export interface SendRecord {
  contactId: string;
  /** `<enrollmentId>#<nodeId>`: one send per journey step. */
  sendKey: string;
  /** Journey sends count towards the frequency cap; test sends do not. */
  kind: 'journey' | 'test';
  template: string;
  status: 'sending' | 'sent';
  claimedAt: string;
  sentAt?: string;
  messageId?: string;
}

export interface Suppression {
  email: string;
  reason: 'bounce' | 'complaint';
  at: string;
  messageId: string;
}

/** Which contact and send an SES message id belongs to, for events that carry no tags. */
export interface MessageRef {
  messageId: string;
  contactId: string;
  sendKey: string;
}

/** One saved version of a template: its source, what it compiled to, who saved it and when. */
export interface TemplateVersion {
  id: string;
  version: number;
  source: EmailTemplate;
  compiled: CompiledTemplate;
  savedAt: string;
  savedBy: string;
}
