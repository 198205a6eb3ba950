import type { ConflictStore, ContactStore, ImportStore } from '#contacts/store.ts';
import type { DueStore, EnrollmentStore, JourneyStore, TaskStore, WaiterStore } from '#journeys/store.ts';
import type { MessageStore, SendStore, SuppressionStore, TemplateStore } from '#messaging/store.ts';
import type { SegmentStore } from '#segments/store.ts';
import type { ApiKeyStore, InboxStore, SourceStore } from '#sources/store.ts';

/** The registry items (conflicts, API keys, imports), kept by one adapter. */
export interface RegistryStore extends ConflictStore, ApiKeyStore, ImportStore {}

/** Every store of every capability, as the single DynamoDB table (or the memory store) provides them. */
export interface TendStore
  extends SourceStore,
    InboxStore,
    ContactStore,
    EnrollmentStore,
    SendStore,
    SuppressionStore,
    MessageStore,
    TemplateStore,
    RegistryStore,
    JourneyStore,
    WaiterStore,
    TaskStore,
    DueStore,
    SegmentStore {}
