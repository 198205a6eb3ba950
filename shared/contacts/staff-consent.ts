import * as z from 'zod';
import type { Clock } from '#core/clock.ts';
import { parseOrRefuse } from '#core/parse.ts';
import { TOPICS, topicById } from './consent.ts';
import { ContactError } from './errors.ts';
import type { ContactStore } from './store.ts';

/**
 * What staff record when a person asks them (by phone, by a reply, at the till) to leave or
 * rejoin marketing mail: a topic, or `all` (every marketing topic). Recorded on the timeline
 * with who did it; the audit log records the request too.
 */
export const staffConsentSchema = z
  .object({
    topic: z
      .string()
      .min(1)
      .max(64)
      .refine((t) => t === 'all' || topicById(t) !== undefined, {
        message: `a topic: "all" or one of ${TOPICS.map((t) => `"${t.id}"`).join(', ')}`,
      }),
  })
  .strict();

export type StaffConsentAction = 'unsubscribe' | 'resubscribe';

export async function recordStaffConsent(
  deps: { store: ContactStore; clock: Clock },
  contactId: string,
  action: StaffConsentAction,
  body: unknown,
  by: string,
): Promise<{ contactId: string; topic: string; status: 'subscribed' | 'unsubscribed'; changed: boolean }> {
  const { topic } = parseOrRefuse(staffConsentSchema, body, `the ${action} request`);
  const contact = await deps.store.getContact(contactId);
  if (!contact) throw new ContactError('contact_not_found', `no contact "${contactId}"`);
  const at = deps.clock.now().toISOString();
  const leaving = action === 'unsubscribe';
  const status = leaving ? 'unsubscribed' : 'subscribed';
  let changed: boolean;
  if (topic === 'all') {
    // "All" is the contact's switch for all marketing mail; each topic keeps its own choice.
    changed = Boolean(contact.unsubscribedAt) !== leaving;
    if (changed) await deps.store.setGlobalUnsubscribe(contactId, leaving ? at : null, at);
  } else {
    changed = (contact.subscriptions?.[topic]?.status ?? 'subscribed') !== status;
    if (changed) await deps.store.setSubscription(contactId, topic, { status, at, source: 'staff' });
  }
  if (changed) {
    await deps.store.appendEvent({
      eventId: `${leaving ? 'contact.unsubscribed' : 'contact.updated'}:${contactId}:staff:${topic}:${at}`,
      contactId,
      name: leaving ? 'contact.unsubscribed' : 'contact.updated',
      at,
      data: { topic, method: 'staff', by, changes: [`${topic}:${status}`] },
    });
  }
  return { contactId, topic, status, changed };
}
