import type { ApiKey, InboxRecord, Source } from './model.ts';

/** The ports through which sources are kept (the records are in ./model.ts). */

export interface SourceStore {
  getSource(sourceId: string): Promise<Source | undefined>;
  /** Creates the source unless one with the same id exists. */
  createSource(source: Source): Promise<'created' | 'exists'>;
  /** Replaces secrets, settings, name or status (everything but id, kind and stats). */
  updateSource(source: Source): Promise<void>;
  listSources(): Promise<Source[]>;
  /** Counts a refused replay on the source item (stored deliveries are counted from the stream). */
  countDelivery(sourceId: string, outcome: 'duplicate', at: string): Promise<void>;
}

export interface InboxStore {
  /**
   * Writes the record unless one with the same inboxId exists. A stored record is counted on its
   * source from the stream (aggregate-events); a duplicate is not, and the caller counts it.
   */
  putInboxOnce(record: InboxRecord): Promise<'stored' | 'duplicate'>;
  getInbox(inboxId: string): Promise<InboxRecord | undefined>;
}

export interface ApiKeyStore {
  createApiKey(key: ApiKey): Promise<void>;
  getApiKey(keyId: string): Promise<ApiKey | undefined>;
  listApiKeys(): Promise<ApiKey[]>;
  revokeApiKey(keyId: string, at: string): Promise<boolean>;
  touchApiKey(keyId: string, at: string): Promise<void>;
}
