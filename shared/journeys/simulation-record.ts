import type { Contact, Enrollment, TimelineEvent } from '#core/contact.ts';
import type { SendOutcome } from '#messaging/send-email.ts';
import type { Journey } from '#workflows/journey.schema.ts';
import type { routeEvent } from './routing.ts';

/** What a simulation records of one contact's run, and how each step reads in words. */

export interface StepRecord {
  at: string;
  enrollmentId: string;
  nodeId: string;
  /** What happened at the node, in words. */
  detail: string;
}

export interface EmailRecord {
  at: string;
  enrollmentId: string;
  nodeId: string;
  template: string;
  outcome: 'sent' | 'skipped' | 'deferred' | 'already-sent';
  reason?: string;
}

export interface ContactRun {
  contactId: string;
  email?: string;
  steps: StepRecord[];
  emails: EmailRecord[];
  enrollments: Enrollment[];
  /** Events the simulation read, in order (with what they did). */
  events: { at: string; name: string; effect: string[] }[];
  tasks: number;
  webhooks: number;
  transitions: number;
  /** Enrollments whose execution was still running when the simulation ended. */
  activeAtEnd: string[];
  /** Executions that failed (a step error), with the error. */
  failures: { enrollmentId: string; error: string }[];
  /** The contact's profile when the simulation ended (what update-contact steps did). */
  finalContact?: { properties: Contact['properties']; tags: string[] };
  /** Owner tasks created by notify-owner steps. */
  taskSubjects: string[];
}

export interface WorldInput {
  contact: Contact;
  /** Events before the simulated period: the contact's past, seen by conditions, not replayed. */
  history: TimelineEvent[];
  /** Events the simulation replays in time order. */
  script: TimelineEvent[];
  from: Date;
  until: Date;
  /** The script event that created the contact (new-contacts-only triggers), if any. */
  createdBy?: string;
}

export function effects(routed: Awaited<ReturnType<typeof routeEvent>>): string[] {
  return [
    ...routed.enrollments.map((e) => `entered (${e})`),
    ...routed.resumed.map((e) => `resumed a wait (${e})`),
    ...routed.converted.map((e) => `converted (${e})`),
    ...routed.exited.map((e) => `ended the enrollment (${e})`),
  ];
}

export function describeEntry(nodeId: string, node: Journey['nodes'][string]): string {
  switch (node.type) {
    case 'wait-for-event':
      return `waiting for ${node.event}${node.correlate ? ' (same correlation value)' : ''}`;
    case 'send-email':
      return `email "${node.template}"`;
    case 'goal':
      return `goal reached: ${node.name}`;
    case 'exit':
      return 'exit';
    case 'update-contact':
      return `update contact: ${node.changes.map((c) => ('tag' in c ? `${c.op} ${c.tag}` : `${c.op} ${c.property}`)).join(', ')}`;
    case 'notify-owner':
      return `notify the owner (${node.channel}): ${node.subject}`;
    case 'webhook':
      return `webhook to ${node.endpoint}`;
    case 'wait':
      return 'wait';
    default:
      return `${node.type} ${nodeId}`.replace(` ${nodeId}`, '');
  }
}

export function emailDetail(template: string, outcome: SendOutcome): string {
  switch (outcome.status) {
    case 'sent':
    case 'already-sent':
      return `email "${template}" sent`;
    case 'skipped':
      return `email "${template}" skipped (${outcome.reason})`;
    case 'deferred':
      return `email "${template}" deferred to ${outcome.until} (${outcome.reason})`;
  }
}
