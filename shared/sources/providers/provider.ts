import type { Normalised } from '#core/canonical-event.ts';

/** The kinds of webhook source Tend verifies. The string is stored; never rename one. */
export const SOURCE_KINDS = ['standard-webhooks', 'shopify', 'stripe', 'woocommerce', 'typeform'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** One incoming delivery as the verifier sees it: raw bytes and a header lookup. */
export interface Delivery {
  /** Case-insensitive header lookup. */
  header(name: string): string | undefined;
  /** The body exactly as received; signatures are computed over these bytes. */
  body: Buffer;
  /** The server clock, whole seconds since the epoch (for timestamp tolerance). */
  nowSeconds: number;
}

export type VerifyFailure = {
  ok: false;
  reason: 'missing_headers' | 'bad_timestamp' | 'stale_timestamp' | 'bad_signature';
  /** Says which header is missing or wrong, safe to return to the caller. */
  message: string;
};
export type Verification = { ok: true } | VerifyFailure;

/**
 * What a provider makes of a verified delivery: the id the provider gives the event (the
 * de-duplication key), its topic, and the canonical events (or why it is ignored).
 */
export interface Parsed {
  deliveryId: string;
  topic: string;
  result: Normalised;
}

/**
 * A provider: how it signs and what it sends. `verify` is checked against every secret that is
 * currently valid for the source (the new and, during a rotation's overlap window, the old one).
 * `parse` throws a `ZodError` when the payload is not what the provider documents; callers map
 * that to 422. Both are pure.
 */
export interface Provider<Settings = unknown> {
  kind: SourceKind;
  verify(secret: string, delivery: Delivery): Verification;
  parse(delivery: Delivery, payload: unknown, settings: Settings): Parsed;
  /**
   * Recognises an unsigned handshake the provider sends when a webhook is set up and that must
   * be answered 200 (WooCommerce posts `webhook_id=<n>` with no signature). The caller answers it
   * without verifying or storing anything: it carries no data. Absent when a provider has none.
   */
  isHandshake?(delivery: Delivery): boolean;
}
