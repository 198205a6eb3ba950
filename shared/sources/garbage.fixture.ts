import fc from 'fast-check';
import type { Clock } from '#core/clock.ts';
import { createLocalSecretBox } from '#platform/local-secret-box.ts';
import { createMemoryStore } from '#platform/memory-store.ts';
import { SOURCE_KINDS, type SourceKind } from './providers/provider.ts';
import { ensureSource } from './sources.ts';

/**
 * What the property-based tests of sources and the admin APIs share: a fixed clock, a local
 * secret box, a store with one source of each kind, and small generators.
 */

export const NOW = new Date('2026-11-23T10:00:00Z');
export const NOW_S = Math.floor(NOW.getTime() / 1000);
export const clock: Clock = { now: () => NOW };
export const secretBox = createLocalSecretBox('unit-test-secret-key');

export const SECRETS: Record<SourceKind, string> = {
  'standard-webhooks': 'whsec_dGVzdC1zZWNyZXQtZm9yLXRoZS1mb3Jt',
  shopify: 'shopify-client-secret',
  stripe: 'whsec_stripe_endpoint_secret',
  woocommerce: 'woo-webhook-secret',
  typeform: 'typeform-webhook-secret',
};

export const sourceIdOf = (kind: SourceKind) => `src-${kind}`;

/** A memory store holding one source of each kind, `sourceIdOf(kind)`, with its secret in SECRETS. */
export async function storeWithSources() {
  const memory = createMemoryStore();
  const deps = { store: memory.store, clock, secretBox };
  for (const kind of SOURCE_KINDS) {
    await ensureSource(deps, { sourceId: sourceIdOf(kind), name: kind, kind, secret: SECRETS[kind] });
  }
  return { memory, deps };
}

export const hex = (bytes: number) =>
  fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => Buffer.from(b).toString('hex'));
export const b64 = (bytes: number) =>
  fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => Buffer.from(b).toString('base64'));
export const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
