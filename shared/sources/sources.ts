import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import type { Clock } from '#core/clock.ts';
import { parseOrRefuse } from '#core/parse.ts';
import type { SecretBox } from '#platform/secret-box.ts';
import { SourceError } from './errors.ts';
import type { Source, StoredSecret } from './model.ts';
import { settingsSchemaFor } from './providers/index.ts';
import { SOURCE_KINDS, type SourceKind } from './providers/provider.ts';
import type { SourceStore } from './store.ts';

/**
 * Webhook sources: create, list, rotate, disable. Secrets are sealed by the SecretBox (KMS on
 * AWS) and shown once: in the response that generated them, never again.
 */

export interface SourceDeps {
  store: SourceStore;
  secretBox: SecretBox;
  clock: Clock;
}

export const secretContext = (sourceId: string) => `source:${sourceId}`;

const sourceIdSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{1,62}$/,
    'use 2 to 63 lower-case letters, digits and dashes, starting with a letter or digit',
  );

export const createSourceSchema = z
  .object({
    sourceId: sourceIdSchema,
    name: z.string().trim().min(1).max(100),
    kind: z.enum(SOURCE_KINDS),
    /** Required for Shopify and Stripe, whose consoles issue the secret; generated otherwise. */
    secret: z.string().min(8).max(256).optional(),
    settings: z.record(z.string(), z.unknown()).default({}),
  })
  .strict()
  .superRefine((input, ctx) => {
    if (!input.secret && (input.kind === 'shopify' || input.kind === 'stripe')) {
      ctx.addIssue({
        code: 'custom',
        path: ['secret'],
        message: `${input.kind} issues the signing secret: copy it from ${
          input.kind === 'shopify'
            ? "the app's client secret (or the store's webhook key)"
            : "the endpoint's signing secret (whsec_...)"
        }`,
      });
    }
    if (input.kind === 'stripe' && input.secret && !input.secret.startsWith('whsec_')) {
      ctx.addIssue({ code: 'custom', path: ['secret'], message: 'a Stripe signing secret starts with whsec_' });
    }
    if (input.kind === 'standard-webhooks' && input.secret && !/^whsec_[A-Za-z0-9+/=]{16,}$/.test(input.secret)) {
      ctx.addIssue({
        code: 'custom',
        path: ['secret'],
        message: 'a Standard Webhooks secret looks like whsec_<base64>',
      });
    }
  });
export type CreateSourceInput = z.input<typeof createSourceSchema>;

export const rotateSourceSchema = z
  .object({
    secret: z.string().min(8).max(256).optional(),
    /** How long the previous secret keeps verifying, so senders can switch without failures. */
    overlapHours: z
      .number()
      .min(0)
      .max(24 * 7)
      .default(24),
  })
  .strict();

/** A fresh secret in the form the provider's console expects to be given. */
export function generateSecret(kind: SourceKind): string {
  return kind === 'standard-webhooks'
    ? `whsec_${randomBytes(24).toString('base64')}`
    : randomBytes(32).toString('base64url');
}

/** What the API shows of a source: never the secrets, only how many and until when. */
/**
 * A source with all its delivery counts: those its delivery counter holds (stored deliveries,
 * counted from the stream) added to those kept on its item (replays, and counts of earlier
 * versions).
 */
export function withDeliveryCounts(source: Source, counter: Record<string, number> | undefined): Source {
  const kept = source.stats ?? {};
  const lastMs = counter?.lastDeliveryMs;
  const counted = lastMs === undefined ? undefined : new Date(lastMs).toISOString();
  const last = [kept.lastDeliveryAt, counted]
    .filter((t): t is string => t !== undefined)
    .sort()
    .at(-1);
  return {
    ...source,
    stats: {
      accepted: (kept.accepted ?? 0) + (counter?.accepted ?? 0),
      duplicate: kept.duplicate ?? 0,
      ignored: (kept.ignored ?? 0) + (counter?.ignored ?? 0),
      ...(last ? { lastDeliveryAt: last } : {}),
    },
  };
}

export function sourceSummary(source: Source, publicUrl: string) {
  const { secrets, ...rest } = source;
  return {
    ...rest,
    url: `${publicUrl.replace(/\/$/, '')}/webhooks/${source.sourceId}`,
    secrets: secrets.map((s) => ({ createdAt: s.createdAt, ...(s.expiresAt ? { expiresAt: s.expiresAt } : {}) })),
  };
}

export async function createSource(deps: SourceDeps, body: unknown, createdBy: string) {
  const input = parseOrRefuse(createSourceSchema, body, 'the source');
  const settings = parseOrRefuse(settingsSchemaFor(input.kind), input.settings, `the ${input.kind} settings`);
  const now = deps.clock.now().toISOString();
  const secret = input.secret ?? generateSecret(input.kind);
  const source: Source = {
    sourceId: input.sourceId,
    name: input.name,
    kind: input.kind,
    secrets: [{ sealed: await deps.secretBox.seal(secret, secretContext(input.sourceId)), createdAt: now }],
    settings: settings as Record<string, unknown>,
    status: 'active',
    createdAt: now,
    createdBy,
    updatedAt: now,
  };
  if ((await deps.store.createSource(source)) === 'exists') {
    throw new SourceError('source_exists', `a source "${input.sourceId}" already exists; rotate its secret instead`);
  }
  return { source, secret: input.secret ? undefined : secret };
}

/** A source store whose reads of one source may be answered from a copy kept for a while. */
export interface CachedSourceStore extends SourceStore {
  /** Drops the kept copy of the source; true when there was one (an answer may have been stale). */
  forgetSource(sourceId: string): boolean;
}

/**
 * Keeps each source read through it for `ttlMs` (ingest, where the source is read for every
 * webhook and changes seldom). Everything else goes to `store`. A failed read is not kept.
 */
export function cacheSources<S extends SourceStore>(
  store: S,
  ttlMs: number,
  now = () => Date.now(),
): S & CachedSourceStore {
  const kept = new Map<string, { until: number; source: Promise<Source | undefined> }>();
  return {
    ...store,
    getSource(sourceId) {
      const hit = kept.get(sourceId);
      if (hit && hit.until > now()) return hit.source;
      const source = store.getSource(sourceId);
      if (ttlMs > 0) {
        const entry = { until: now() + ttlMs, source };
        kept.set(sourceId, entry);
        source.catch(() => {
          if (kept.get(sourceId) === entry) kept.delete(sourceId);
        });
      }
      return source;
    },
    forgetSource: (sourceId) => kept.delete(sourceId),
  };
}

/**
 * The source with this id, or undefined. An id no source can have (the shape createSource
 * allows) is not looked up: DynamoDB refuses an over-long key with a validation error, which
 * would surface as an internal error.
 */
export async function findSource(deps: { store: SourceStore }, sourceId: string): Promise<Source | undefined> {
  return sourceIdSchema.safeParse(sourceId).success ? deps.store.getSource(sourceId) : undefined;
}

async function existing(deps: SourceDeps, sourceId: string): Promise<Source> {
  const source = await findSource(deps, sourceId);
  if (!source) throw new SourceError('unknown_source', `no source "${sourceId}"`);
  return source;
}

/**
 * Puts a new secret first; the previous one keeps verifying for the overlap window and older
 * ones are dropped. The new secret is returned only when Tend generated it.
 */
export async function rotateSource(deps: SourceDeps, sourceId: string, body: unknown) {
  const input = parseOrRefuse(rotateSourceSchema, body, 'the rotation');
  const source = await existing(deps, sourceId);
  const now = deps.clock.now();
  const secret = input.secret ?? generateSecret(source.kind);
  const [current] = validSecrets(source, now);
  const previous: StoredSecret[] = current
    ? [{ ...current, expiresAt: new Date(now.getTime() + input.overlapHours * 3_600_000).toISOString() }]
    : [];
  const updated: Source = {
    ...source,
    secrets: [
      { sealed: await deps.secretBox.seal(secret, secretContext(sourceId)), createdAt: now.toISOString() },
      ...previous.filter((s) => (s.expiresAt as string) > now.toISOString()),
    ],
    updatedAt: now.toISOString(),
  };
  await deps.store.updateSource(updated);
  return { source: updated, secret: input.secret ? undefined : secret };
}

export async function setSourceStatus(deps: SourceDeps, sourceId: string, status: Source['status']) {
  const source = await existing(deps, sourceId);
  const updated: Source = { ...source, status, updatedAt: deps.clock.now().toISOString() };
  await deps.store.updateSource(updated);
  return updated;
}

/** Secrets that verify at `now`: the current one and any still inside its overlap window. */
export const validSecrets = (source: Source, now: Date): StoredSecret[] =>
  source.secrets.filter((s) => !s.expiresAt || s.expiresAt > now.toISOString());

/**
 * Makes a source exist with exactly this secret (local seeding: the demo source's secret follows
 * configuration on every start). Not exposed through the API.
 */
export async function ensureSource(
  deps: SourceDeps,
  spec: { sourceId: string; name: string; kind: SourceKind; secret: string; settings?: Record<string, unknown> },
): Promise<void> {
  const now = deps.clock.now().toISOString();
  const secrets = [{ sealed: await deps.secretBox.seal(spec.secret, secretContext(spec.sourceId)), createdAt: now }];
  const existingSource = await deps.store.getSource(spec.sourceId);
  if (existingSource) {
    await deps.store.updateSource({ ...existingSource, name: spec.name, secrets, status: 'active', updatedAt: now });
    return;
  }
  await deps.store.createSource({
    sourceId: spec.sourceId,
    name: spec.name,
    kind: spec.kind,
    secrets,
    settings: spec.settings ?? {},
    status: 'active',
    createdAt: now,
    createdBy: 'local-seed',
    updatedAt: now,
  });
}
