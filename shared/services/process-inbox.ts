import type { Contact, TimelineEvent } from '#domain/contact.ts';
import { formSubmissionSchema } from '#domain/form.schema.ts';
import { deterministicId, newContactId } from '#domain/ids.ts';
import type { Clock } from '#ports/clock.ts';
import type { JourneyRuntime } from '#ports/journeys.ts';
import type { ContactStore, EnrollmentStore, InboxRecord, InboxStore } from '#ports/store.ts';

/** A live journey as routing sees it. */
export interface LiveJourney {
  journeyId: string;
  version: number;
  trigger: { type: 'event'; event: string; newContactsOnly: boolean };
}

export interface ProcessDeps {
  store: InboxStore & ContactStore & EnrollmentStore;
  journeys: JourneyRuntime;
  liveJourneys: readonly LiveJourney[];
  clock: Clock;
}

export type ProcessOutcome =
  | { kind: 'processed'; contactId: string; created: boolean; enrollments: string[] }
  | { kind: 'already-processed' }
  | { kind: 'missing' };

/**
 * Turns one stored webhook into a contact, its timeline and its journey enrollments. Every
 * write is keyed by something derived from the inbox record, so running it twice (a retry, a
 * replayed stream record) changes nothing the first run did.
 */
export async function processInboxRecord(deps: ProcessDeps, inboxId: string): Promise<ProcessOutcome> {
  const record = await deps.store.getInbox(inboxId);
  if (!record) return { kind: 'missing' };
  if (record.status !== 'received') return { kind: 'already-processed' };
  const form = formSubmissionSchema.parse(JSON.parse(record.body));
  const { contactId, created } = await resolveContact(deps, record, form);

  const submitted: TimelineEvent = {
    eventId: `form.submitted:${record.inboxId}`,
    contactId,
    name: 'form.submitted',
    at: record.receivedAt,
    data: { sourceId: record.sourceId, webhookId: record.webhookId, fields: form.fields ?? {} },
  };
  await deps.store.appendEvent(submitted);

  const enrollments: string[] = [];
  for (const journey of deps.liveJourneys) {
    if (journey.trigger.event !== submitted.name) continue;
    if (journey.trigger.newContactsOnly && !created) continue;
    enrollments.push(await enroll(deps, journey, contactId, submitted));
  }
  await deps.store.markInbox(record.inboxId, 'processed', deps.clock.now().toISOString());
  return { kind: 'processed', contactId, created, enrollments };
}

async function resolveContact(
  deps: ProcessDeps,
  record: InboxRecord,
  form: ReturnType<typeof formSubmissionSchema.parse>,
): Promise<{ contactId: string; created: boolean }> {
  const now = deps.clock.now().toISOString();
  const existingId = await deps.store.findContactIdByEmail(form.email);
  if (existingId) {
    const existing = await deps.store.getContact(existingId);
    // A retry of the run that created the contact still counts as "created" for routing.
    const created = existing?.createdBy === record.inboxId;
    if (!created) {
      await deps.store.updateContact(
        existingId,
        { firstName: form.firstName, lastName: form.lastName, properties: form.fields },
        now,
      );
    }
    return { contactId: existingId, created };
  }
  const contact: Contact = {
    contactId: newContactId(),
    email: form.email,
    firstName: form.firstName,
    lastName: form.lastName,
    properties: form.fields ?? {},
    createdAt: record.receivedAt,
    updatedAt: now,
    createdBy: record.inboxId,
  };
  const event: TimelineEvent = {
    eventId: `contact.created:${record.inboxId}`,
    contactId: contact.contactId,
    name: 'contact.created',
    at: record.receivedAt,
    data: { sourceId: record.sourceId },
  };
  const outcome = await deps.store.createContact(contact, event);
  if (outcome === 'created') return { contactId: contact.contactId, created: true };
  // Another submission with the same email won the race: use that contact.
  return resolveContact(deps, record, form);
}

async function enroll(deps: ProcessDeps, journey: LiveJourney, contactId: string, trigger: TimelineEvent) {
  const enrollmentId = deterministicId('e', journey.journeyId, contactId, trigger.eventId);
  const enteredAt = deps.clock.now().toISOString();
  const created = await deps.store.createEnrollment({
    enrollmentId,
    contactId,
    journeyId: journey.journeyId,
    journeyVersion: journey.version,
    triggerEventId: trigger.eventId,
    status: 'active',
    enteredAt,
  });
  const existing = created === 'exists' ? await deps.store.getEnrollment(contactId, enrollmentId) : undefined;
  if (!existing?.executionArn) {
    // Step Functions treats a repeated execution name with the same input as the same execution.
    const { executionArn } = await deps.journeys.start({
      journeyId: journey.journeyId,
      enrollmentId,
      input: { contactId, enrollmentId, journeyId: journey.journeyId, journeyVersion: journey.version },
    });
    await deps.store.setExecutionArn(contactId, enrollmentId, executionArn);
  }
  await deps.store.appendEvent({
    eventId: `journey.entered:${enrollmentId}`,
    contactId,
    name: 'journey.entered',
    at: existing?.enteredAt ?? enteredAt,
    data: { journeyId: journey.journeyId, journeyVersion: journey.version, enrollmentId },
  });
  return enrollmentId;
}
