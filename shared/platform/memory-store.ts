import { createMemoryContacts } from '#contacts/memory-contacts.ts';
import { createMemoryRegistry } from '#contacts/memory-registry.ts';
import type { Contact, TimelineEvent } from '#core/contact.ts';
import { createMemoryJourneyRuntimeStores, createMemoryJourneyStore } from '#journeys/memory-journeys.ts';
import type { JourneyStore } from '#journeys/store.ts';
import { createMemoryMessaging } from '#messaging/memory-messaging.ts';
import { createMemorySegmentStore } from '#segments/memory-segments.ts';
import type { StoredSegment } from '#segments/model.ts';
import { createMemorySources } from '#sources/memory-sources.ts';
import type { InboxRecord } from '#sources/model.ts';
import type { TendStore } from './store.ts';

/**
 * In-memory TendStore with the same conditional semantics as the DynamoDB adapter. `journeys`
 * lets several stores share one set of published journeys (the simulator's contacts do).
 */
export function createMemoryStore(options: { journeys?: JourneyStore; segments?: readonly StoredSegment[] } = {}) {
  const inbox = new Map<string, InboxRecord>();
  const contacts = new Map<string, Contact>();
  const events = new Map<string, TimelineEvent>();

  const runtimeStores = createMemoryJourneyRuntimeStores(contacts, (event) => store.appendEvent(event));
  const store: TendStore = {
    ...createMemoryRegistry(),
    ...(options.journeys ?? createMemoryJourneyStore()),
    ...runtimeStores,
    ...createMemorySegmentStore(
      (event) => store.appendEvent(event),
      options.segments,
      (contactId) => store.getContact(contactId),
    ),
    ...createMemorySources(inbox),
    ...createMemoryContacts(contacts, events, () => store),
    ...createMemoryMessaging(() => store),
  };
  return {
    store,
    sizes: () => ({ inbox: inbox.size, contacts: contacts.size, events: events.size }),
  };
}
