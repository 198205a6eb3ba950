import type { CanonicalEvent } from '#core/canonical-event.ts';
import type { ApiScope } from './api-key.ts';
import type { SourceKind } from './providers/provider.ts';

/** What the sources capability keeps: sources with their sealed secrets, inbox records, API keys. */

export interface StoredSecret {
  /** Sealed by the SecretBox (KMS on AWS); never stored or logged in clear. */
  sealed: string;
  createdAt: string;
  /** Set on the previous secret when a rotation starts: it verifies until then. */
  expiresAt?: string;
}

export interface DeliveryStats {
  accepted?: number;
  duplicate?: number;
  ignored?: number;
  lastDeliveryAt?: string;
}

export interface Source {
  sourceId: string;
  name: string;
  kind: SourceKind;
  /** Newest first; more than one only during a rotation's overlap window. */
  secrets: StoredSecret[];
  /** Provider-specific settings (e.g. Typeform's field mapping). */
  settings: Record<string, unknown>;
  status: 'active' | 'disabled';
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  /**
   * Delivery counts kept on the item: replays (`duplicate`, counted as they are refused) and,
   * from versions before stored deliveries were counted from the stream, accepted and ignored
   * ones. Shown added to the source's delivery counter (`withDeliveryCounts`).
   */
  stats?: DeliveryStats;
}

export interface InboxRecord {
  /** `<sourceId>:<provider event id>`: the key that makes a replayed delivery a no-op. */
  inboxId: string;
  sourceId: string;
  /** The provider's id for the delivery (webhook-id, X-Shopify-Event-Id, evt_..., messageId). */
  webhookId: string;
  /** Provider topic, e.g. `orders/create`, `invoice.paid`, `track`. */
  topic?: string;
  receivedAt: string;
  /** The raw body exactly as received (for audit and reprocessing). */
  body: string;
  /** What the body was normalised to at ingest; processing applies these. */
  events?: CanonicalEvent[];
  status: 'received' | 'ignored' | 'processed' | 'dead';
  /** Why an ignored record was ignored (unknown topic, no identifier). */
  reason?: string;
  processedAt?: string;
  error?: string;
}

export interface ApiKey {
  keyId: string;
  name: string;
  scopes: ApiScope[];
  /** SHA-256 (hex) of the key's secret part; the key itself is shown once, at creation. */
  hash: string;
  createdAt: string;
  createdBy: string;
  revokedAt?: string;
  lastUsedAt?: string;
}
